// Bulk adjustments: the same points change for every customer the admin list currently shows
// (search, segment, at-risk tab), as one `adjust` ledger row per customer.
//
// One batch = one form nonce. Each row is keyed `admin:bulk:<nonce>:<customer id>`, so a retried
// or double-clicked submit appends nothing new, and a batch that died half way can be submitted
// again to finish the rest. The list is walked a chunk at a time (keyset pages of the same list the
// page shows), each chunk in its own transaction, so a 200,000-customer shop never sits in memory.
//
// A removal follows the clawback rule, not the single-adjustment refusal: refusing the whole batch
// because one customer has too few points would make bulk removal useless. So a customer with fewer
// points than the removal gives what they have, the rest is recorded as the row's `shortfall`; a
// customer with no points is skipped. With negative balances allowed, the full amount is removed.
import { db, dialect, type Tx } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { boundedClawback } from "./earning";
import { appendEntries, type NewLedgerEntry } from "./ledger.server";
import { memberList, type MemberFilter } from "./customer-list.server";
import { loadProgram } from "./program.server";
import type { AdjustmentInput } from "./adjustments.server";

export const BULK_CHUNK = 500;

export interface BulkAdjustResult {
  /** Customers the filter matched. */
  matched: number;
  /** Rows appended by this submit. */
  adjusted: number;
  /** Already adjusted by an earlier submit of the same batch: nothing new. */
  alreadyDone: number;
  /** Erased at the customer's request (GDPR): never adjusted. */
  skippedRedacted: number;
  /** A removal from a customer with no points: nothing to take. */
  skippedNoPoints: number;
  /** Customers who had fewer points than the removal and gave what they had. */
  partial: number;
  /** Points that could not be removed (sum of the rows' shortfall). */
  shortfall: number;
}

export function bulkKey(nonce: string, customerId: number) {
  return `admin:bulk:${nonce}:${customerId}`;
}

/** Applies `input` to every member of `shop` matching `filter`; safe to call again with the same nonce. */
export async function bulkAdjust(
  shop: string,
  filter: MemberFilter,
  input: AdjustmentInput,
  actor: string | null,
  { chunkSize = BULK_CHUNK }: { chunkSize?: number } = {},
): Promise<BulkAdjustResult> {
  const result: BulkAdjustResult = {
    matched: 0,
    adjusted: 0,
    alreadyDone: 0,
    skippedRedacted: 0,
    skippedNoPoints: 0,
    partial: 0,
    shortfall: 0,
  };
  for await (const ids of memberList(shop, filter).idPages(chunkSize)) {
    result.matched += ids.length;
    const chunk = await db.$transaction((tx) => adjustChunk(tx, shop, ids, input, actor));
    for (const key of Object.keys(chunk) as (keyof BulkAdjustResult)[]) result[key] += chunk[key];
  }
  return result;
}

async function adjustChunk(tx: Tx, shop: string, ids: number[], input: AdjustmentInput, actor: string | null) {
  const counts = { matched: 0, adjusted: 0, alreadyDone: 0, skippedRedacted: 0, skippedNoPoints: 0, partial: 0, shortfall: 0 };
  if (ids.length === 0) return counts;
  const program = await loadProgram(tx, shop);
  // Balances read under the rows' locks (PostgreSQL), so a concurrent redemption cannot spend
  // points this batch is removing; SQLite has one writer at a time already.
  const lock = dialect() === "postgres" ? " FOR UPDATE" : "";
  const rows = await query<{ id: unknown; pointsBalance: unknown; redactedAt: unknown }>(
    tx,
    `SELECT "id", "pointsBalance", "redactedAt" FROM "Customer"
     WHERE "shop" = ? AND "id" IN (${ids.map(() => "CAST(? AS INTEGER)").join(", ")}) ORDER BY "id"${lock}`,
    [shop, ...ids],
  );
  const keys = rows.map((r) => bulkKey(input.nonce, toNumber(r.id)));
  const done = new Set(
    (await tx.ledgerEntry.findMany({ where: { shop, idempotencyKey: { in: keys } }, select: { idempotencyKey: true } })).map(
      (e) => e.idempotencyKey,
    ),
  );
  const entries: NewLedgerEntry[] = [];
  for (const row of rows) {
    const customerId = toNumber(row.id);
    const idempotencyKey = bulkKey(input.nonce, customerId);
    if (done.has(idempotencyKey)) {
      counts.alreadyDone++;
      continue;
    }
    if (row.redactedAt) {
      counts.skippedRedacted++;
      continue;
    }
    let delta = input.delta;
    let shortfall = 0;
    if (delta < 0) {
      ({ delta, shortfall } = boundedClawback(-input.delta, toNumber(row.pointsBalance), program.allowNegativeBalance));
      if (delta === 0) {
        counts.skippedNoPoints++;
        continue;
      }
      if (shortfall > 0) counts.partial++;
    }
    counts.shortfall += shortfall;
    entries.push({ shop, customerId, delta, kind: "adjust", reason: input.reason, idempotencyKey, shortfall, actor });
  }
  const appended = await appendEntries(tx, entries);
  counts.adjusted = appended.length;
  // A key that appeared between our read and the insert (a concurrent submit of the same batch).
  counts.alreadyDone += entries.length - appended.length;
  if (appended.length < entries.length) {
    const kept = new Set(appended.map((e) => e.idempotencyKey));
    for (const e of entries) {
      if (kept.has(e.idempotencyKey)) continue;
      counts.shortfall -= e.shortfall ?? 0;
      if ((e.shortfall ?? 0) > 0) counts.partial--;
    }
  }
  return counts;
}
