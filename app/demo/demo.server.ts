// Demo mode (`npm run demo`): the embedded admin of one demo shop, opened in a plain browser with
// no Shopify store around it. Shopify's admin would hand the app a session token (in the URL on a
// page load, from App Bridge on every fetch); here the app mints one itself, signed with the app's
// secret exactly as Shopify signs them, so the library's own admin authentication accepts it.
//
// On only when REGULARS_DEMO=1 in the environment (no request can turn it on) and never under
// NODE_ENV=production — not even with REGULARS_ALLOW_DEV_TOOLS=1, which lets tests run the
// emulator in a production build: whoever reaches a demo server can act as the demo shop's owner,
// which no production start may allow. Off, every /demo/* URL is a plain 404.
import { createHmac, randomUUID } from "node:crypto";
import { config } from "../config.server";

/** How long a minted session token lasts (Shopify's last one minute; a demo page stays open longer). */
export const DEMO_TOKEN_SECONDS = 600;

export function demoEnabled(): boolean {
  const { REGULARS_DEMO, NODE_ENV } = config();
  return REGULARS_DEMO && NODE_ENV !== "production";
}

export const demoShop = () => config().REGULARS_DEMO_SHOP;

export const notFound = () => new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });

/** A session token as App Bridge gets them from the admin: HS256 JWT, the app's secret, `aud` = its client id. */
export function mintSessionToken(shop = demoShop(), seconds = DEMO_TOKEN_SECONDS): string {
  const { SHOPIFY_API_KEY, SHOPIFY_API_SECRET } = config();
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = part({ alg: "HS256", typ: "JWT" });
  const payload = part({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: SHOPIFY_API_KEY,
    sub: "1",
    exp: now + seconds,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const signature = createHmac("sha256", SHOPIFY_API_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The admin's `host` parameter: base64 of `admin.shopify.com/store/<name>`. */
export function adminHost(shop = demoShop()): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");
}

/** Where an /app path may lead: the app's own admin pages, nothing else (no open redirect). */
export function safeAdminPath(path: string | null): string {
  return path && /^\/app(\/[\w\-./[\]]*)?(\?[^#]*)?$/.test(path) && !path.includes("..") ? path : "/app";
}

/** An /app URL as the admin loads it: `embedded=1`, `shop`, `host` and a fresh `id_token`. */
export function embeddedAdminPath(path: string, shop = demoShop()): string {
  const url = new URL(safeAdminPath(path), "http://demo.invalid");
  for (const name of ["embedded", "shop", "host", "id_token", "session", "hmac", "timestamp"]) url.searchParams.delete(name);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", adminHost(shop));
  url.searchParams.set("id_token", mintSessionToken(shop));
  return `${url.pathname}?${url.searchParams}`;
}

/**
 * In demo mode, an /app page opened without the admin's parameters (a reload after navigating, a
 * bookmark) or sent to Shopify's bounce page for a fresh token signs in again at the same path,
 * instead of the "open Regulars from your Shopify admin" page or App Bridge's bounce (which needs
 * Shopify's CDN). Null outside demo mode and for data and API requests.
 */
export function demoSignInRedirect(request: Request): Response | null {
  if (request.method !== "GET" || !demoEnabled()) return null;
  let url = new URL(request.url);
  // The library's bounce page (an expired token in a reloaded URL): back to the page it names.
  if (url.pathname === "/auth/session-token" && url.searchParams.get("shopify-reload")) {
    try {
      url = new URL(url.searchParams.get("shopify-reload")!, url);
    } catch {
      return null;
    }
  } else if (request.headers.get("Authorization") || url.searchParams.has("_data") || url.searchParams.get("id_token")) {
    return null;
  }
  if (url.pathname !== "/app" && !url.pathname.startsWith("/app/")) return null;
  const rest = new URLSearchParams(url.searchParams);
  for (const name of ["embedded", "shop", "host", "id_token", "shopify-reload"]) rest.delete(name);
  const query = rest.toString();
  const location = `/demo/admin?path=${encodeURIComponent(`${url.pathname}${query ? `?${query}` : ""}`)}`;
  return new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store" } });
}
