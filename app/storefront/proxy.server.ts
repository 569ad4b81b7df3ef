// The app proxy door (docs/public-routes.md, ADR 0005): every /proxy/* request is Shopify's, signed with the app's
// secret, or it is refused. The library checks the signature and the 90 s timestamp window
// (authenticate.public.appProxy → validateHmac); around it we close the gaps ADR 0005 lists:
// a parameter given twice, a missing timestamp, a malformed customer id. The customer is ONLY
// the signed `logged_in_customer_id` — never anything from the body or other headers.
import { authenticate } from "../shopify.server";
import { log } from "../log.server";

export type ProxyContext = { shop: string; customerShopifyId: string | null };

const NO_STORE = "private, no-store";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": NO_STORE, ...headers },
  });
}

export const problem = (
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => json(status, { error, message, ...extra }, headers);

const unauthorized = (reason: string, request: Request) => {
  log.warn("proxy.rejected", { reason, path: new URL(request.url).pathname });
  return problem(401, "unauthorized", "This request was not signed by Shopify's app proxy.");
};

/** Verifies the request; returns the shop and signed customer, or the 401 to answer. */
export async function verifyProxyRequest(request: Request): Promise<ProxyContext | Response> {
  const url = new URL(request.url);
  const params = url.searchParams;
  // The library validates Object.fromEntries(params) — the LAST of repeated values — while
  // params.get() reads the first: a repeated parameter could make the two disagree. Refuse it.
  const names = [...params.keys()];
  if (new Set(names).size !== names.length) return unauthorized("repeated query parameter", request);
  for (const name of ["shop", "timestamp", "signature"] as const) {
    if (!params.get(name)) return unauthorized(`missing ${name}`, request);
  }
  // Number(undefined) is NaN, and NaN passes the library's window check: require a real one.
  if (!/^\d{1,12}$/.test(params.get("timestamp")!)) return unauthorized("malformed timestamp", request);
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(params.get("shop")!)) return unauthorized("malformed shop", request);
  try {
    await authenticate.public.appProxy(request);
  } catch (error) {
    if (error instanceof Response) return unauthorized(`signature or timestamp rejected (${error.status})`, request);
    throw error;
  }
  const customer = params.get("logged_in_customer_id") || null;
  if (customer !== null && !/^\d{1,20}$/.test(customer)) return unauthorized("malformed logged_in_customer_id", request);
  return { shop: params.get("shop")!, customerShopifyId: customer };
}

export const isResponse = (value: unknown): value is Response => value instanceof Response;

/**
 * A small storefront POST body, JSON or a form post, read whole once the size is known to be
 * small. Throws the 413 / 400 Response to answer when it is too big or not JSON.
 */
export async function readProxyBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = await request.text();
  if (text.length > maxBytes) throw problem(413, "body_too_large", `The body is over ${maxBytes} bytes.`);
  if ((request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    throw problem(400, "bad_json", "The body is not valid JSON.");
  }
}
