// Being the Shopify admin for the app's embedded pages and admin APIs in tests.
//
// `authenticate.admin` (token-exchange strategy, `unstable_newEmbeddedAuthStrategy`) accepts a
// request when it carries a session token — `Authorization: Bearer <JWT>` for fetches, or
// `?embedded=1&shop=…&host=…&id_token=<JWT>` for a document load — that verifies with HS256 and
// the app's secret and has `aud` = the API key, and when the offline session for the shop (id
// `offline_<shop>`, from `dest`) is in storage with an access token. With that session present no
// token exchange with Shopify happens, so nothing has to answer for Shopify. Online tokens are
// off in this app, so the offline session is the one loaded; storing an online one too is harmless.
import { createHmac, randomUUID } from "node:crypto";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { db } from "../../app/db.server";
import { TEST_API_KEY, TEST_SECRET } from "./server";
import { SHOP } from "./shopify";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** A session token as App Bridge makes them: HS256, signed with the API secret, valid one minute. */
export function sessionToken(
  shop = SHOP,
  { secret = TEST_SECRET, apiKey = TEST_API_KEY, userId = "1", expiresInSeconds = 60 } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: apiKey,
      sub: userId,
      exp: now + expiresInSeconds,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The `host` query parameter the admin adds: base64 of `admin.shopify.com/store/<name>`. */
export function adminHost(shop = SHOP): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
}

/**
 * What an install stores today: an offline access token that expires within the hour and the
 * refresh token for the next one (expiring offline tokens, which Shopify requires from 2027).
 */
export function expiringOfflineToken(accessToken: string) {
  return {
    accessToken,
    expires: new Date(Date.now() + 3600_000),
    refreshToken: `shprt_${accessToken}`,
    refreshTokenExpires: new Date(Date.now() + 90 * 86_400_000),
  };
}

/** Stores the shop's offline session (and an online one) so admin requests need no token exchange. */
export async function storeAdminSessions(shop = SHOP, { scope = "read_orders,read_customers,write_discounts" } = {}) {
  const offline = {
    id: `offline_${shop}`,
    shop,
    state: "",
    isOnline: false,
    scope,
    ...expiringOfflineToken("shpat_test_offline"),
  };
  await db.session.upsert({ where: { id: offline.id }, create: offline, update: offline });
  const online = {
    id: `${shop}_1`,
    shop,
    state: "",
    isOnline: true,
    scope,
    accessToken: "shpua_test_online",
    expires: new Date(Date.now() + 24 * 3600_000),
    userId: BigInt(1),
    firstName: "Owner",
    lastName: "Test",
    email: "owner@example.com",
    accountOwner: true,
    locale: "en",
  };
  await db.session.upsert({ where: { id: online.id }, create: online, update: online });
}

/** Headers for an admin API call (what App Bridge's fetch adds). A normal browser user agent: the library answers 410 to bots. */
export function adminHeaders(shop = SHOP): Record<string, string> {
  return {
    Authorization: `Bearer ${sessionToken(shop)}`,
    "User-Agent": BROWSER_USER_AGENT,
    Accept: "application/json",
  };
}

/** The URL the admin loads an embedded page with. */
export function embeddedUrl(baseUrl: string, path: string, shop = SHOP, extra: Record<string, string> = {}): string {
  const url = new URL(path, baseUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", adminHost(shop));
  url.searchParams.set("id_token", sessionToken(shop, { expiresInSeconds: 600 }));
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.toString();
}

export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/**
 * A Chromium context that opens the embedded admin as a merchant's browser would, minus Shopify's
 * CDN (App Bridge's script), which this machine cannot reach.
 */
export async function adminBrowserContext(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1200, height: 800 }, ...options });
  await context.route(/cdn\.shopify\.com/, (route) => route.abort());
  return context;
}

/**
 * `adminBrowserContext` plus what App Bridge's fetch does in the admin: the session token on the
 * app's own requests to `appUrl`.
 */
export async function embeddedAdminContext(browser: Browser, appUrl: string, shop = SHOP, options: BrowserContextOptions = {}) {
  const context = await adminBrowserContext(browser, {
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
    ...options,
  });
  await context.route(
    (url) => url.origin === appUrl,
    (route) => route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${sessionToken(shop)}` } }),
  );
  return context;
}

/** Remix has hydrated the page: typing now is not wiped by React taking over the server's HTML. */
export async function remixHydrated(page: Page) {
  await page.waitForFunction(() =>
    Boolean((window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized),
  );
  await page.waitForLoadState("networkidle");
}

/** Runs `steps`; on failure keeps a screenshot of where the page was (`<dir>/failed-<name>.png`), to look at. */
export async function shotOnFailure(page: Page, dir: string, name: string, steps: () => Promise<void>) {
  try {
    await steps();
  } catch (error) {
    await page.screenshot({ path: `${dir}/failed-${name}.png`, fullPage: true }).catch(() => {});
    throw error;
  }
}
