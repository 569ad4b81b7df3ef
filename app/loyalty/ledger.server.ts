// The points ledger: append-only rows, each with an idempotency key unique per shop.
// A customer's balance is the sum of their rows; Customer.pointsBalance caches that sum and is
// only ever changed here, in the same transaction as the rows.
import { dialect, type Tx } from "../db.server";
import { execute, query, valuesList } from "../db/sql.server";
import { shareLedgerChanges } from "./member-sync.server";

export type LedgerKind = "earn" | "redeem" | "refund" | "cancel" | "expire" | "adjust" | "bonus" | "referral";

export type NewLedgerEntry = {
  shop: string;
  customerId: number;
  delta: number;
  kind: LedgerKind;
  reason: string;
  idempotencyKey: string;
  shortfall?: number;
  orderId?: number | null;
  redemptionId?: number | null;
  /** The staff member behind a manual adjustment (audit trail); null for automatic rows. */
  actor?: string | null;
};

const CHUNK = 500;

/**
 * The most points one row may move: a billion. Rows are 32-bit integers on PostgreSQL and the
 * database refuses anything else (a CHECK constraint there, triggers on SQLite); checking here
 * first gives the caller an error that names the entry.
 */
export const MAX_LEDGER_POINTS = 1_000_000_000;

export class LedgerBoundsError extends RangeError {
  name = "LedgerBoundsError";
}

function checkBounds(entry: NewLedgerEntry) {
  for (const [field, value] of [
    ["delta", entry.delta],
    ["shortfall", entry.shortfall ?? 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_LEDGER_POINTS) {
      throw new LedgerBoundsError(
        `ledger ${field} ${value} for ${entry.idempotencyKey} is not a whole number of points within ±${MAX_LEDGER_POINTS}`,
      );
    }
  }
}

/**
 * Appends the entries whose keys are new and moves the cached balances by what was appended.
 * Returns the appended entries; a key used before (a redelivery, a retry) appends nothing.
 */
export async function appendEntries(tx: Tx, entries: NewLedgerEntry[]): Promise<NewLedgerEntry[]> {
  entries.forEach(checkBounds);
  const appended: NewLedgerEntry[] = [];
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const now = new Date();
    const rows = await query<{ idempotencyKey: string }>(
      tx,
      `INSERT INTO "LedgerEntry" ("shop", "customerId", "delta", "kind", "reason", "shortfall", "orderId", "redemptionId", "idempotencyKey", "createdAt", "actor")
       VALUES ${valuesList(chunk.length, 11)}
       ON CONFLICT ("shop", "idempotencyKey") DO NOTHING
       RETURNING "idempotencyKey"`,
      chunk.flatMap((e) => [
        e.shop,
        e.customerId,
        e.delta,
        e.kind,
        e.reason,
        e.shortfall ?? 0,
        e.orderId ?? null,
        e.redemptionId ?? null,
        e.idempotencyKey,
        now,
        e.actor ?? null,
      ]),
    );
    const inserted = new Set(rows.map((r) => r.idempotencyKey));
    appended.push(...chunk.filter((e) => inserted.has(e.idempotencyKey)));
  }
  await moveBalances(tx, appended);
  // Shopify's copy (metafields) and Flow hear of it after this transaction commits (ADR 0032).
  await shareLedgerChanges(tx, appended);
  return appended;
}

export async function appendEntry(tx: Tx, entry: NewLedgerEntry): Promise<boolean> {
  return (await appendEntries(tx, [entry])).length === 1;
}

async function moveBalances(tx: Tx, entries: NewLedgerEntry[]) {
  const byCustomer = new Map<number, number>();
  for (const e of entries) byCustomer.set(e.customerId, (byCustomer.get(e.customerId) ?? 0) + e.delta);
  const changes = [...byCustomer].filter(([, delta]) => delta !== 0);
  for (let i = 0; i < changes.length; i += CHUNK) {
    const chunk = changes.slice(i, i + CHUNK);
    await execute(
      tx,
      `UPDATE "Customer" SET "pointsBalance" = "pointsBalance" + CASE "id" ${chunk.map(() => "WHEN ? THEN CAST(? AS INTEGER)").join(" ")} END
       WHERE "id" IN (${chunk.map(() => "?").join(", ")})`,
      [...chunk.flat(), ...chunk.map(([id]) => id)],
    );
  }
}

/**
 * The customer's balance, with their row locked until the transaction ends (PostgreSQL), so a
 * check-then-spend cannot interleave with another. SQLite has one writer at a time already.
 */
export async function lockedBalance(tx: Tx, customerId: number): Promise<number> {
  const lock = dialect() === "postgres" ? " FOR UPDATE" : "";
  const rows = await query<{ pointsBalance: number }>(tx, `SELECT "pointsBalance" FROM "Customer" WHERE "id" = ?${lock}`, [
    customerId,
  ]);
  if (!rows[0]) throw new Error(`customer ${customerId} not found`);
  return Number(rows[0].pointsBalance);
}

/** The balance from the ledger itself: what the cache must always equal. */
export async function ledgerBalance(tx: Pick<Tx, "ledgerEntry">, customerId: number): Promise<number> {
  const { _sum } = await tx.ledgerEntry.aggregate({ where: { customerId }, _sum: { delta: true } });
  return _sum.delta ?? 0;
}
