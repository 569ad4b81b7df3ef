// The edges of the real built server, over HTTP: the favicon, what an unknown URL answers and logs,
// and an /app URL opened outside the Shopify admin. (The same pages in Chromium, and that they
// hydrate cleanly: edges.browser.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { adminHeaders, adminHost, BROWSER_USER_AGENT, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { startApp, TEST_API_KEY, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";
import { waitFor } from "../support/wait";

/** Debian Chromium's user agent in headless mode: isbot (and so the Shopify library) calls it a bot. */
const HEADLESS_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";
/** A stack frame as Node prints them: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at \S/m;

let app: RunningApp;

beforeAll(async () => {
  await useFreshDatabase();
  app = await startApp(process.env.DATABASE_URL!, { WEB_CONCURRENCY: "1" }); // one worker: its log is in order (logsDuring)
  await db.shop.create({ data: { domain: SHOP, name: "Bean There", timezone: "America/New_York", currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  await storeAdminSessions(SHOP);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

/** A request the app logs one line for: a POST to /healthz, which has no action (Remix's 405). */
const MARKER = '"path":"/healthz"';

/**
 * What the server logged while `run` ran. The log reaches the test through a pipe, so it can lag
 * the answers; a marker request follows `run`, and once the marker's line is in, every line the
 * one worker wrote before it is too. Returns the lines before the marker.
 */
async function logsDuring(run: () => Promise<void>): Promise<string> {
  const before = app.logs().length;
  await run();
  await (await fetch(`${app.url}/healthz`, { method: "POST", headers: { "User-Agent": BROWSER_USER_AGENT } })).text();
  const marker = await waitFor(
    () => {
      const at = app.logs().indexOf(MARKER, before);
      return at >= 0 && { lineStart: app.logs().lastIndexOf("\n", at) + 1 };
    },
    { what: "the marker request's log line" },
  );
  return app.logs().slice(before, Math.max(before, marker.lineStart));
}

describe("favicon", () => {
  it.each([
    ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)$/],
    ["/favicon.svg", /^image\/svg\+xml/],
  ])("%s answers 200 with an image", async (path, type) => {
    const response = await fetch(`${app.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(type);
    const body = Buffer.from(await response.arrayBuffer());
    if (path.endsWith(".ico"))
      expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // ICONDIR, type 1 = icon
    else expect(body.toString("utf8")).toMatch(/^<svg[\s>]/);
  });

  it("is linked from every page, error pages included", async () => {
    for (const path of ["/", "/auth/login", "/no-such-page"]) {
      const html = await (await fetch(`${app.url}${path}`)).text();
      expect(html, path).toContain('<link rel="icon" href="/favicon.ico"');
      expect(html, path).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"');
    }
  });
});

describe("an unknown URL", () => {
  it("answers 404 with the plain error page and logs no stack trace", async () => {
    let response!: Response;
    let html = "";
    const logged = await logsDuring(async () => {
      response = await fetch(`${app.url}/no-such-page?from=edges-test`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
      html = await response.text();
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain("<h1>404 Not Found</h1>");
    expect(logged).not.toMatch(STACK_FRAME);
    expect(logged).not.toContain("no-such-page");
  });

  it("answers 404 under /app too, for the admin, without a stack trace", async () => {
    let status = 0;
    const logged = await logsDuring(async () => {
      const response = await fetch(embeddedUrl(app.url, "/app/no-such-page"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
      status = response.status;
      await response.text();
    });
    expect(status).toBe(404);
    expect(logged).not.toMatch(STACK_FRAME);
  });
});

describe("other errors Remix catches", () => {
  it("a POST to a page without an action answers 405 and logs one short JSON line", async () => {
    let status = 0;
    const logged = await logsDuring(async () => {
      const response = await fetch(`${app.url}/`, {
        method: "POST",
        headers: { "User-Agent": BROWSER_USER_AGENT, "Content-Type": "application/x-www-form-urlencoded" },
        body: "shop=x",
      });
      status = response.status;
      await response.text();
    });
    expect(status).toBe(405);
    expect(logged).not.toMatch(STACK_FRAME);
    const lines = logged.split("\n").filter((line) => line.includes('"path":"/"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "warn", event: "request.refused", method: "POST", status: 405 });
  });
});

describe("/app opened outside the Shopify admin", () => {
  const TITLE = "Open Regulars from your Shopify admin";

  // 401: what the request lacks is the admin's credentials (a session token, or the shop the admin
  // puts in the URL); not 410, which tells a crawler the page is gone for good, and not a redirect,
  // which would leave a person on a login form with no word of why.
  it.each([
    ["a headless browser", "/app", HEADLESS_USER_AGENT],
    ["a person's browser", "/app", BROWSER_USER_AGENT],
    ["a deep link", "/app/customers?q=ava", BROWSER_USER_AGENT],
  ])("%s at %s without a shop gets the human page with status 401", async (_who, path, userAgent) => {
    const response = await fetch(`${app.url}${path}`, { headers: { "User-Agent": userAgent }, redirect: "manual" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const html = await response.text();
    expect(html).toContain(`<title>${TITLE} · Regulars</title>`);
    expect(html).toContain(`>${TITLE}</h1>`);
    expect(html).toMatch(/<a [^>]*href="\/auth\/login"/);
  });

  it("an API request without a session token gets the same answer as JSON", async () => {
    const response = await fetch(`${app.url}/app/api/kpis?from=2026-01-01&to=2026-02-01`, {
      headers: { "User-Agent": BROWSER_USER_AGENT, Accept: "application/json" },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "outside_admin", login: "/auth/login" });
  });

  it("the login form it links to is there", async () => {
    const response = await fetch(`${app.url}/auth/login`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('name="shop"');
  });

  it("leaves the admin's own requests to the Shopify library", async () => {
    // A document load as the admin makes it, and an App Bridge fetch with the session token.
    const page = await fetch(embeddedUrl(app.url, "/app/customers"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(TITLE);
    const api = await fetch(`${app.url}/app/api/kpis?from=2026-01-01&to=2026-02-01`, { headers: adminHeaders(SHOP) });
    expect(api.status).toBe(200);
    // A shop and host outside the admin's frame: still the library's call, which sends the browser to
    // the app inside that shop's admin.
    const bare = await fetch(`${app.url}/app?shop=${SHOP}&host=${adminHost(SHOP)}`, {
      headers: { "User-Agent": BROWSER_USER_AGENT },
      redirect: "manual",
    });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe(
      `https://admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}/apps/${TEST_API_KEY}`,
    );
  });
});
