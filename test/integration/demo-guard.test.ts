// Demo mode hands the demo shop's admin to anyone who reaches the server, so it exists only where
// `npm run demo` turns it on: a production start serves none of it, even with every dev switch on
// (REGULARS_DEMO, and REGULARS_ALLOW_DEV_TOOLS, which does let the emulator and preview run).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshDatabase } from "../support/database";
import { startApp, type RunningApp } from "../support/server";
import { BROWSER_USER_AGENT } from "../support/admin-session";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp(await useFreshDatabase(), {
    WEB_CONCURRENCY: "1",
    REGULARS_DEMO: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR: "1",
    STOREFRONT_PREVIEW: "1",
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await (await import("../../app/db.server")).db.$disconnect();
});

describe("a production start with REGULARS_DEMO=1", () => {
  it("serves none of the demo routes", async () => {
    for (const url of ["/demo/admin", "/demo/admin?path=/app", "/demo/session-token"]) {
      const response = await fetch(`${app.url}${url}`, { redirect: "manual", headers: { "User-Agent": BROWSER_USER_AGENT } });
      expect(response.status, url).toBe(404);
    }
  });

  it("sends an /app page without the admin's token where it always does, not to a demo sign-in", async () => {
    const bare = await fetch(`${app.url}/app/customers`, { redirect: "manual", headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(bare.status).toBe(401);
    const embedded = await fetch(`${app.url}/app?embedded=1&shop=regulars-demo.myshopify.com&host=x`, {
      redirect: "manual",
      headers: { "User-Agent": BROWSER_USER_AGENT },
    });
    expect(embedded.headers.get("location") ?? "").not.toContain("/demo/");
  });
});
