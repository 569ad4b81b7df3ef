// GET /preview/storefront?customer=<shopifyId>&locale=en|fa[&shop=][&inline][&ref=CODE] — a storefront page
// with the rewards widget as the theme would render it (STOREFRONT_PREVIEW=1 only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { renderFixturePage } from "~/storefront/fixture-page";
import {
  defaultPreviewShop,
  notFound,
  PREVIEW_ASSET_BASE,
  PREVIEW_PROXY_BASE,
  PREVIEW_ROOT,
  previewEnabled,
  sessionCookies,
} from "~/storefront/preview.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (!previewEnabled()) return notFound();
  const q = new URL(request.url).searchParams;
  const shop = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(q.get("shop") ?? "") ? q.get("shop")! : defaultPreviewShop();
  const customer = /^\d{1,20}$/.test(q.get("customer") ?? "") ? q.get("customer")! : null;
  const locale = /^[a-z]{2}(-[A-Z]{2})?$/.test(q.get("locale") ?? "") ? q.get("locale")! : "en";
  // First paint: what the customer's points metafield would hold.
  const member = customer ? await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: customer } } }) : null;
  const html = renderFixturePage({
    locale,
    customer: customer !== null,
    points: member?.pointsBalance ?? (customer ? 0 : null),
    inline: q.has("inline"),
    assetBase: PREVIEW_ASSET_BASE,
    proxy: PREVIEW_PROXY_BASE,
    rootUrl: PREVIEW_ROOT, // discount links and the Ajax Cart API (cart/update.js) under /preview
    body: `<p data-preview>Storefront preview of ${shop}: ${customer ? `signed in as customer ${customer}` : "a guest"}.</p>`,
  });
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  for (const c of sessionCookies(shop, customer)) headers.append("Set-Cookie", c);
  return new Response(html, { headers });
}

export const action = () => notFound();
