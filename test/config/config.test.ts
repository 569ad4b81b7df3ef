// One configuration module: every variable the app reads is declared there, the README lists
// exactly those, and a production configuration without real Shopify credentials is refused.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEV_CREDENTIALS, parseConfig, SETTINGS, startProblems } from "../../app/config.server";

const declared = Object.keys(SETTINGS).sort();

describe("the configuration module", () => {
  it("gives every variable its documented default", () => {
    const values = parseConfig({});
    expect(values).toMatchObject({
      PORT: 3000,
      DATABASE_URL: "file:./data/regulars.db",
      SHOPIFY_APP_URL: "http://localhost:3000",
      MAX_BODY_BYTES: 2 * 1024 * 1024,
      WEBHOOK_MAX_ATTEMPTS: 8,
      WEBHOOK_PAYLOAD_RETENTION_DAYS: 7,
      SHOPIFY_EMULATOR: false,
      NODE_ENV: "development",
      usingDevCredentials: true,
      SHOPIFY_API_SECRET: DEV_CREDENTIALS.SHOPIFY_API_SECRET,
    });
  });

  it("names every malformed variable at once", () => {
    expect(() => parseConfig({ PORT: "eighty", MAX_BODY_BYTES: "-1", SHOPIFY_EMULATOR: "yes" })).toThrow(
      /PORT: .*MAX_BODY_BYTES: .*SHOPIFY_EMULATOR: /,
    );
  });

  it.each([
    ["unset", {}],
    ["empty", { SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: "" }],
    ["whitespace", { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "   " }],
    ["the development values", { ...DEV_CREDENTIALS }],
    [
      "a real key with the development secret",
      { SHOPIFY_API_KEY: "a1b2c3", SHOPIFY_API_SECRET: DEV_CREDENTIALS.SHOPIFY_API_SECRET },
    ],
  ])("refuses a production start with credentials %s", (_name, credentials) => {
    const problems = startProblems(parseConfig({ NODE_ENV: "production", ...credentials }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set/);
  });

  it("accepts a production start with real credentials, and a development start without any", () => {
    expect(
      startProblems(parseConfig({ NODE_ENV: "production", SHOPIFY_API_KEY: "a1b2c3", SHOPIFY_API_SECRET: "shpss_0f9e8d" })),
    ).toEqual([]);
    expect(startProblems(parseConfig({ NODE_ENV: "development" }))).toEqual([]);
  });

  it("is the only place that reads process.env in the app and its server (server.mjs and server/)", () => {
    const files = execFileSync("git", ["grep", "-l", "process\\.env", "--", "app", "server.mjs", "server"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean);
    expect(files.sort()).toEqual(["app/config.server.ts", "server.mjs"]);
    // server.mjs reads only where the build is (to load this module) and Remix's dev-server origin.
    const reads = [...readFileSync("server.mjs", "utf8").matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]);
    expect([...new Set(reads)].sort()).toEqual(["REGULARS_BUILD_DIR", "REMIX_DEV_ORIGIN"]);
  });

  it("is listed exactly in the README's configuration table", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("\n## ", readme.indexOf("## Configuration") + 5),
    );
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(declared);
  });
});
