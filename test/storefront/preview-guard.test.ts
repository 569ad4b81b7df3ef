// The development tools are off unless asked for, and never on by accident in a production start:
// the storefront preview is a plain 404, and a production start with the Shopify emulator refuses
// to run. The preview's app proxy decides who is signed in; the storefront cannot.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { memberWithPoints } from "../support/proxy";
import { startApp, TEST_API_KEY, TEST_SECRET, type RunningApp } from "../support/server";
import { newId, SHOP } from "../support/shopify";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const PREVIEW_URLS = [
  "/preview/storefront?customer=1",
  "/preview/assets/regulars-loader.js",
  "/preview/apps/rewards/api/member",
  "/preview/cart.js",
  "/preview/cart/update.js",
];

describe("off unless enabled", () => {
  it.each([
    ["without STOREFRONT_PREVIEW", {}],
    ["with STOREFRONT_PREVIEW=1 in a production start without REGULARS_ALLOW_DEV_TOOLS", { STOREFRONT_PREVIEW: "1" }],
  ])("every /preview URL is a 404 %s", async (_name, env) => {
    const app = await startApp(databaseUrl, env as Record<string, string>);
    try {
      for (const url of PREVIEW_URLS) {
        expect((await fetch(`${app.url}${url}`)).status, url).toBe(404);
        expect((await fetch(`${app.url}${url}`, { method: "POST", body: "{}" })).status, `POST ${url}`).toBe(404);
      }
    } finally {
      await app.stop();
    }
  });

  it("a production start with SHOPIFY_EMULATOR=1 and no REGULARS_ALLOW_DEV_TOOLS refuses to run", async () => {
    const child = spawn(process.execPath, ["server.mjs"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        DATABASE_URL: databaseUrl,
        SHOPIFY_EMULATOR: "1",
        REGULARS_ALLOW_DEV_TOOLS: "",
        SHOPIFY_API_KEY: TEST_API_KEY,
        SHOPIFY_API_SECRET: TEST_SECRET,
        WEB_CONCURRENCY: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr!.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(78);
    expect(output).toContain("shopify_emulator.refused");
  });
});

describe("the preview's app proxy", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(databaseUrl, { STOREFRONT_PREVIEW: "1", REGULARS_ALLOW_DEV_TOOLS: "1", STOREFRONT_PREVIEW_SHOP: SHOP });
  });
  afterAll(() => app?.stop());

  it("signs as Shopify does, for the customer the preview signed in, whatever the storefront sends", async () => {
    const customer = newId();
    const other = newId();
    await memberWithPoints(customer, 321);
    await memberWithPoints(other, 999);
    const page = await fetch(`${app.url}/preview/storefront?customer=${customer}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-proxy="/preview/apps/rewards"');
    const cookies = page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const res = await fetch(`${app.url}/preview/apps/rewards/api/member?logged_in_customer_id=${other}&shop=evil.myshopify.com`, {
      headers: { cookie: cookies, "X-Customer-Id": String(other) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.json()).toMatchObject({ customerId: String(customer), points: 321 });
    // without the preview's session: a guest
    const guest = await fetch(`${app.url}/preview/apps/rewards/api/member`);
    expect(await guest.json()).toMatchObject({ customerId: null, points: 0 });
  });

  it("serves only the widget's built assets", async () => {
    const loader = await fetch(`${app.url}/preview/assets/regulars-loader.js`);
    expect([200, 404]).toContain(loader.status); // 404 only if the widget was never built
    if (loader.status === 200) expect(loader.headers.get("content-type")).toContain("javascript");
    expect((await fetch(`${app.url}/preview/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${app.url}/preview/assets/en.default.json`)).status).toBe(404);
  });
});
