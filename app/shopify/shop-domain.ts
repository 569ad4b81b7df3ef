// What may name a shop. Webhooks carry the shop's permanent `<handle>.myshopify.com` domain in
// X-Shopify-Shop-Domain; anything else (a host that is not a shop, `admin.shopify.com`, a path,
// a 3,000-character string) is refused before any code reads or stores it. The library's own
// sanitizeShop is looser on purpose (it also takes admin URLs and *.shopify.com for OAuth).
import { config } from "../config.server";

const MYSHOPIFY = /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/;

/** The shop domain in canonical (lower-case) form, or null when `value` is not one. */
export function shopDomain(value: string | null | undefined): string | null {
  if (!value || value.length > 255) return null;
  const domain = value.trim().toLowerCase();
  if (MYSHOPIFY.test(domain)) return domain;
  const custom = config().SHOP_CUSTOM_DOMAIN?.toLowerCase();
  return custom && domain === custom ? domain : null;
}
