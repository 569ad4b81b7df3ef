// The shop's own facts as every page reads them: name, currency, time zone. They are copied from
// Shopify on install (lifecycle.server.ts); until then a shop reads as USD in UTC.
import { db } from "../db.server";

export type ShopFacts = { name: string | null; currency: string; timezone: string };

export const DEFAULT_CURRENCY = "USD";
export const DEFAULT_TIMEZONE = "UTC";

export async function shopFacts(shop: string): Promise<ShopFacts> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true, name: true } });
  return { currency: row?.currency ?? DEFAULT_CURRENCY, timezone: row?.timezone ?? DEFAULT_TIMEZONE, name: row?.name ?? null };
}
