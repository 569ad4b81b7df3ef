// Local storefront preview (issue 4 §5): a page that loads the real widget assets the way a theme
// would, with a signed-in test customer, and an app proxy stand-in that signs each request exactly
// as Shopify's does before handing it to /proxy/*.
//
// On only when STOREFRONT_PREVIEW=1; a production start (NODE_ENV=production) also needs
// REGULARS_ALLOW_DEV_TOOLS=1 (the test harness sets it; operators never should). Otherwise every
// /preview/* URL is a plain 404, indistinguishable from a route that does not exist.
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { config } from "../config.server";
import { extensionDir } from "./fixture-page";

export const PREVIEW_PROXY_BASE = "/preview/apps/rewards";
export const PREVIEW_ASSET_BASE = "/preview/assets/";
/** The preview storefront's routes.root_url. */
export const PREVIEW_ROOT = "/preview";
const CUSTOMER_COOKIE = "regulars_preview_customer";
const SHOP_COOKIE = "regulars_preview_shop";
const PATH_PREFIX = "/apps/rewards";

export function previewEnabled(): boolean {
  const { STOREFRONT_PREVIEW, NODE_ENV, REGULARS_ALLOW_DEV_TOOLS } = config();
  return STOREFRONT_PREVIEW && (NODE_ENV !== "production" || REGULARS_ALLOW_DEV_TOOLS);
}

export const notFound = () => new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });

export const defaultPreviewShop = () => config().STOREFRONT_PREVIEW_SHOP;

/** The preview's "storefront session": who is signed in, as cookies on /preview. */
export function sessionCookies(shop: string, customer: string | null): string[] {
  const attrs = "Path=/preview; HttpOnly; SameSite=Lax";
  return [`${SHOP_COOKIE}=${encodeURIComponent(shop)}; ${attrs}`, `${CUSTOMER_COOKIE}=${customer ?? ""}; ${attrs}`];
}

function cookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(/;\s*/)) {
    const [key, ...rest] = part.split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

const WIDGET_ASSETS: Record<string, string> = {
  "regulars-loader.js": "text/javascript; charset=utf-8",
  "regulars-panel.js": "text/javascript; charset=utf-8",
};

/** A built widget asset (npm run build:widget), as the theme's CDN would serve it. */
export async function widgetAsset(file: string): Promise<Response> {
  const type = WIDGET_ASSETS[file];
  if (!type) return notFound();
  try {
    const body = await readFile(path.join(extensionDir(), "assets", file));
    return new Response(body, { headers: { "Content-Type": type, "Cache-Control": "no-cache" } });
  } catch {
    return new Response(`${file} is not built: run npm run build:widget`, {
      status: 404,
      headers: { "Content-Type": "text/plain" },
    });
  }
}

/**
 * Shopify's app proxy signature: hex HMAC-SHA256, with the app's secret, of the query parameters
 * (all but `signature`) as `key=value`, sorted by key, concatenated without separators. This
 * plays Shopify's part (signing); verification stays with the library (authenticate.public.appProxy).
 */
export function signProxyParams(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) if (key !== "signature") grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

const FORWARDED_HEADERS = ["content-type", "accept", "accept-language", "idempotency-key", "user-agent"];
const PASSED_BACK = ["content-type", "cache-control", "retry-after"];

/** Forwards a storefront request for /apps/rewards/<rest> to /proxy/<rest>, signed like Shopify. */
export async function forwardToProxy(request: Request, rest: string): Promise<Response> {
  const incoming = new URL(request.url);
  const query = new URLSearchParams();
  // Shopify sets these itself; whatever the storefront sent under those names is dropped.
  const reserved = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);
  for (const [key, value] of incoming.searchParams) if (!reserved.has(key)) query.append(key, value);
  query.set("shop", cookie(request, SHOP_COOKIE) || defaultPreviewShop());
  query.set("logged_in_customer_id", cookie(request, CUSTOMER_COOKIE) || "");
  query.set("path_prefix", PATH_PREFIX);
  query.set("timestamp", String(Math.floor(Date.now() / 1000)));
  query.set("signature", signProxyParams(query, config().SHOPIFY_API_SECRET));

  const target = `http://127.0.0.1:${config().PORT}/proxy/${rest.replace(/^\/+/, "")}?${query}`;
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const response = await fetch(target, {
    method: request.method,
    headers,
    body: hasBody ? await request.text() : undefined,
    redirect: "manual",
  });
  const back = new Headers();
  for (const name of PASSED_BACK) {
    const value = response.headers.get(name);
    if (value) back.set(name, value);
  }
  return new Response(await response.arrayBuffer(), { status: response.status, headers: back });
}

// ---- the storefront's Ajax Cart API, as much of it as the widget uses -----------------------------
// Shopify answers POST {root}/cart/update.js ({ attributes: { name: value } } as JSON, or
// `attributes[name]=value` as a form) with the cart as JSON. The preview keeps its cart in a cookie,
// so every HTTP worker sees the same one; add.js only counts items (no products here).

const CART_COOKIE = "regulars_preview_cart";
type PreviewCart = { attributes: Record<string, string>; item_count: number };

function readCart(request: Request): PreviewCart {
  try {
    const cart = JSON.parse(Buffer.from(cookie(request, CART_COOKIE) ?? "", "base64url").toString("utf8"));
    if (cart && typeof cart.attributes === "object" && Number.isInteger(cart.item_count)) return cart;
  } catch {
    // no cart yet, or not one of ours
  }
  return { attributes: {}, item_count: 0 };
}

function cartResponse(cart: PreviewCart, status = 200): Response {
  const headers = new Headers({ "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  const value = Buffer.from(JSON.stringify(cart)).toString("base64url");
  headers.append("Set-Cookie", `${CART_COOKIE}=${value}; Path=/preview; HttpOnly; SameSite=Lax`);
  return new Response(JSON.stringify(cart), { status, headers });
}

/** Attributes from a JSON body or a form's `attributes[name]=value` fields. */
async function attributesOf(request: Request): Promise<Record<string, string> | null> {
  const text = (await request.text()).slice(0, 4096);
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    try {
      const body = JSON.parse(text) as { attributes?: Record<string, unknown> };
      return Object.fromEntries(Object.entries(body.attributes ?? {}).map(([k, v]) => [k, String(v)]));
    } catch {
      return null;
    }
  }
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^attributes\[(.+)\]$/.exec(key);
    if (m) out[m[1]] = value;
  }
  return out;
}

/** GET /preview/cart.js */
export const previewCart = (request: Request) => cartResponse(readCart(request));

/** POST /preview/cart/update.js (attributes) and /preview/cart/add.js (one more item). */
export async function changeCart(request: Request, action: string): Promise<Response> {
  const cart = readCart(request);
  if (action === "add.js") return cartResponse({ ...cart, item_count: cart.item_count + 1 });
  if (action !== "update.js") return notFound();
  const attributes = await attributesOf(request);
  if (!attributes) return new Response(JSON.stringify({ status: 400, message: "bad JSON" }), { status: 400 });
  return cartResponse({ ...cart, attributes: { ...cart.attributes, ...attributes } });
}
