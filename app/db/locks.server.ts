// Locks that keep writers in several processes from interleaving where row locks cannot.
import { dialect, type Tx } from "../db.server";

/**
 * Serialises, across every instance on one PostgreSQL, the transactions that merge the given
 * orders' paid events, refunds and cancellations into the ledger, until this transaction ends.
 * Without it a refund applied by one instance while another applies its order's paid event would
 * each miss the other's uncommitted row (a refund can arrive before its order exists, so there is
 * no row to lock), and the clawback would be lost. Transactions on other orders run in parallel.
 *
 * Take it first in the transaction, before any row lock: all keys in one statement, in key order,
 * so two transactions never wait on each other's advisory locks in a circle. On SQLite the one
 * writer already serialises everything.
 */
export async function lockOrders(tx: Tx, shop: string, orderShopifyIds: string[]): Promise<void> {
  if (dialect() !== "postgres" || orderShopifyIds.length === 0) return;
  const keys = [...new Set(orderShopifyIds)].map((id) => `order:${shop}:${id}`);
  await tx.$queryRawUnsafe(
    `SELECT COUNT(pg_advisory_xact_lock(k)) AS "locked"
     FROM (SELECT DISTINCT hashtext(x) AS k FROM unnest($1::text[]) AS x ORDER BY 1) AS keys`,
    keys,
  );
}

/**
 * Locks the rows of the customers of these orders (those already recorded), and of the members
 * who referred them (a referral order's refund takes back the advocate's reward too), in Shopify id order.
 */
export async function lockCustomersOf(tx: Tx, shop: string, orderShopifyIds: string[]): Promise<void> {
  if (dialect() !== "postgres" || orderShopifyIds.length === 0) return;
  await tx.$queryRawUnsafe(
    `SELECT c."id" FROM "Customer" c
     WHERE c."id" IN (SELECT o."customerId" FROM "Order" o WHERE o."shop" = $1 AND o."shopifyId" = ANY($2::text[]))
        OR c."id" IN (SELECT r."advocateId" FROM "Referral" r WHERE r."shop" = $1 AND r."orderShopifyId" = ANY($2::text[]))
     ORDER BY c."shopifyId" FOR UPDATE OF c`,
    shop,
    [...new Set(orderShopifyIds)],
  );
}
