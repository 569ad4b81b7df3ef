// Warm analytics from memory: results are kept per shop and key, stamped with a cheap version of
// the shop's data (latest change of orders, customers, ledger, settings, shop, rewards).
// Any webhook, backfill row, points change or settings edit changes the stamp, so the next read
// recomputes; nothing has to remember to invalidate. The stamp is six index descents.
// Entries also expire after MAX_AGE_MS, because "now" moves (P(alive), the current month).
// Per process: each server worker warms its own copy.
import type { Db } from "../db.server";
import { query } from "../db/sql.server";

const MAX_AGE_MS = 10 * 60_000;
/**
 * The shape of what is cached: part of every key, so results computed by code of another shape
 * (null for undefined rates, the FHL-built CLV inputs: 2) can never be served as this one's.
 * Change it whenever a cached result's fields or their meaning change.
 */
export const RESULT_SHAPE = 2;
const MAX_ENTRIES_PER_SHOP = 16;

export interface DataVersion {
  /** The shop has no orders and no ledger entries at all. */
  empty: boolean;
  stamp: string;
}

type Entry = { stamp: string; at: number; value: Promise<unknown> };
const shops = new Map<string, Map<string, Entry>>();

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? ""));

/**
 * Latest change of each input, each one a descent of an index on (shop, time): no counting, so it
 * costs the same at 1,000 or 1,000,000 orders. Deletions are seen through Customer.updatedAt (a
 * redaction updates the customer; a shop redaction removes them all) and, at worst, MAX_AGE_MS.
 */
export async function dataVersion(db: Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">, shop: string): Promise<DataVersion> {
  const [row] = await query<Record<string, unknown>>(
    db,
    `SELECT
       (SELECT MAX("updatedAt") FROM "Order" WHERE "shop" = ?) AS "ordersAt",
       (SELECT MAX("updatedAt") FROM "Customer" WHERE "shop" = ?) AS "customersAt",
       (SELECT MAX("createdAt") FROM "LedgerEntry" WHERE "shop" = ?) AS "ledgerAt",
       (SELECT MAX("updatedAt") FROM "ProgramSettings" WHERE "shop" = ?) AS "settingsAt",
       (SELECT MAX("updatedAt") FROM "Shop" WHERE "domain" = ?) AS "shopAt",
       (SELECT MAX("updatedAt") FROM "Reward" WHERE "shop" = ?) AS "rewardsAt"`,
    Array(6).fill(shop),
  );
  const stamp = ["ordersAt", "customersAt", "ledgerAt", "settingsAt", "shopAt", "rewardsAt"].map((k) => iso(row?.[k])).join("|");
  return { empty: row?.ordersAt == null && row?.ledgerAt == null, stamp };
}

/** The cached value for (shop, key) if its data version still matches, else `compute()` (shared by concurrent callers). */
export function cached<T>(
  shop: string,
  key: string,
  version: DataVersion,
  fresh: boolean,
  compute: () => Promise<T>,
): Promise<T> {
  let entries = shops.get(shop);
  if (!entries) shops.set(shop, (entries = new Map()));
  key = `${RESULT_SHAPE}|${key}`;
  const hit = entries.get(key);
  if (!fresh && hit && hit.stamp === version.stamp && Date.now() - hit.at < MAX_AGE_MS) {
    entries.delete(key); // keep recently used keys last
    entries.set(key, hit);
    return hit.value as Promise<T>;
  }
  const value = compute();
  const entry: Entry = { stamp: version.stamp, at: Date.now(), value };
  entries.set(key, entry);
  value.catch(() => entries!.get(key) === entry && entries!.delete(key));
  while (entries.size > MAX_ENTRIES_PER_SHOP) entries.delete(entries.keys().next().value!);
  return value;
}

/** Forgets everything (tests, benches). */
export function clearAnalyticsCache() {
  shops.clear();
}
