// Locks that keep writers in several processes from interleaving where row locks cannot.
import { dialect, type Tx } from "../db.server";

/**
 * Serialises, across every instance on one PostgreSQL, the transactions that merge a shop's
 * orders, refunds and cancellations into the ledger, until this transaction ends. Without it a
 * refund applied by one instance while another instance applies its order's paid event would
 * each miss the other's uncommitted row, and the clawback would be lost. Different shops still
 * run in parallel. On SQLite the one writer already serialises everything.
 */
export async function lockShopLedger(tx: Tx, shop: string): Promise<void> {
  if (dialect() !== "postgres") return;
  await tx.$queryRawUnsafe(`SELECT 1 AS "locked" FROM pg_advisory_xact_lock(hashtext($1))`, `ledger:${shop}`);
}
