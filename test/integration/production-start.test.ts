// A production start without the app's real Shopify credentials stops with a message and a
// non-zero exit, before anything listens: with the public development secret anyone could forge
// webhooks, proxy requests and admin session tokens. With real credentials it serves.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshDatabase } from "../support/database";
import { startApp, TEST_API_KEY, TEST_SECRET } from "../support/server";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(async () => (await import("../../app/db.server")).db.$disconnect());

function start(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    WEB_CONCURRENCY: "1",
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(process.execPath, ["server.mjs"], {
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("a production start", () => {
  it.each([
    ["unset", { SHOPIFY_API_KEY: undefined, SHOPIFY_API_SECRET: undefined }],
    ["empty", { SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: "" }],
    ["set to the development values", { SHOPIFY_API_KEY: "regulars-dev-api-key", SHOPIFY_API_SECRET: "regulars-dev-secret" }],
  ])("exits with code 78 and says what to set when the credentials are %s", async (_name, credentials) => {
    const env: Record<string, string | undefined> = { ...credentials };
    const { code, output } = await start(env);
    expect(code).toBe(78);
    expect(output).toContain("Regulars will not start: SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set");
    expect(output).not.toContain("server.listening");
  });

  it("exits with code 78 naming a malformed variable", async () => {
    const { code, output } = await start({
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_SECRET,
      MAX_BODY_BYTES: "lots",
    });
    expect(code).toBe(78);
    expect(output).toMatch(/Invalid environment: MAX_BODY_BYTES/);
  });

  it("serves with real credentials", async () => {
    const app = await startApp(databaseUrl, { WEB_CONCURRENCY: "1" });
    try {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect(app.logs()).not.toContain("config.dev_credentials");
    } finally {
      await app.stop();
    }
  });
});
