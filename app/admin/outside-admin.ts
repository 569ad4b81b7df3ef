// An /app request that did not come from the Shopify admin. The admin always sends a shop: in
// the URL when it loads a page (`?embedded=1&shop=…&host=…&id_token=…`), inside the session token
// (`Authorization: Bearer …`) when App Bridge fetches. A request with neither is someone who opened
// an /app URL directly: a bookmark, a shared link, a crawler, a headless browser. Left to the
// Shopify library, a bot user agent gets a bare 410 and a person is redirected to the login form
// with no word of why; we answer with a page that says where the app lives instead.

/** The `error` of the 401 such a request gets. */
export const OUTSIDE_ADMIN = "outside_admin";

export const OUTSIDE_ADMIN_TITLE = "Open Regulars from your Shopify admin";

/** True for an /app request (page, data or API) that carries no session token and no shop. */
export function isOutsideAdminRequest(request: Request): boolean {
  const url = new URL(request.url);
  if (url.pathname !== "/app" && !url.pathname.startsWith("/app/")) return false;
  // CORS preflights never carry credentials; the library answers them.
  if (request.method === "OPTIONS") return false;
  return !request.headers.get("Authorization") && !url.searchParams.get("shop");
}

/**
 * 401, since what the request lacks is the admin's credentials; the challenge names the scheme the
 * admin's own requests use. JSON, so API callers can read it; a page request renders it as the
 * admin shell's "open Regulars from your Shopify admin" page (app/admin/boundary.tsx).
 */
export function outsideAdminResponse(): Response {
  return Response.json(
    {
      error: OUTSIDE_ADMIN,
      message: `${OUTSIDE_ADMIN_TITLE}, or log in with your shop domain at /auth/login.`,
      login: "/auth/login",
    },
    { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="Shopify admin"', "Cache-Control": "no-store" } },
  );
}
