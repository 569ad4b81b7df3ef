// Points expiry (docs/loyalty-rules.md): a member's points expire after N months without an order.
// Off by default (ProgramSettings.expiryEnabled); when on, a periodic sweep in the primary process
// appends one `expire` row per inactive member, taking their whole balance.
//
// Last activity: the member's latest order that counts, or their enrolment if that is later.
// - An order counts when it has this customer and is neither a test nor cancelled: a cancelled
//   order's points are clawed back and no purchase happened, so it must not keep points alive
//   (an order-then-cancel would otherwise reset the clock for free). Refunded orders still count:
//   the shopper did buy.
// - Enrolment is `Customer.enrolledAt`, else the member's first ledger row. It also counts when
//   the member has older orders: a historical import enrols members today with orders from years
//   ago, and points credited for them must get a full period, not vanish at the next sweep.
//
// The clock is in calendar days of the shop's time zone: points expire at the start of the day N
// calendar months after the day of the last activity; when that month has no such day (Jan 31 +
// 1 month), on the 1st of the month after it (Mar 1). Never before N whole months have passed.
//
// One inactivity period expires at most once: the row's key names the activity it counts from,
// `expire:<customerId>:<last activity ISO>`, so a second sweep (or a second process) appends
// nothing, and a new order starts a new period with a new key.
import { db, dialect, type Tx } from "../db.server";
import { addDays, dayOf, startOfDay, type Day } from "../analytics/time";
import { query } from "../db/sql.server";
import { log } from "../log.server";
import { appendEntries, type NewLedgerEntry } from "./ledger.server";

export type ExpiryResult = { customers: number; points: number };

const BATCH_SIZE = 500;

const daysInMonth = (year: number, month0: number) => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
const dayString = (year: number, month0: number, day: number): Day =>
  new Date(Date.UTC(year, month0, day)).toISOString().slice(0, 10);
const parts = (day: Day) => day.split("-").map(Number) as [number, number, number];

/** The day points whose last activity was on `activity` expire: N calendar months on, or the 1st after a short month. */
export function expiresOn(activity: Day, months: number): Day {
  const [y, m, d] = parts(activity);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const [ty, tm] = [target.getUTCFullYear(), target.getUTCMonth()];
  return d <= daysInMonth(ty, tm) ? dayString(ty, tm, d) : dayString(ty, tm + 1, 1);
}

/**
 * The instant before which a last activity has expired at `now`: the start of the day after the
 * latest activity day T whose `expiresOn(T)` is today or earlier. That day is today's day number
 * N months back, or the last day of that month when it is shorter (`expiresOn` is monotonic, so
 * every earlier day has expired too).
 */
export function expiryCutoff(now: Date, months: number, zone: string): Date {
  const [y, m, d] = parts(dayOf(now, zone));
  const back = new Date(Date.UTC(y, m - 1 - months, 1));
  const [by, bm] = [back.getUTCFullYear(), back.getUTCMonth()];
  const latestExpired = dayString(by, bm, Math.min(d, daysInMonth(by, bm)));
  return startOfDay(addDays(latestExpired, 1), zone);
}

export const expiryReason = (months: number) => `Points expired after ${months} month${months === 1 ? "" : "s"} without an order`;

/**
 * Expires the points of every member inactive for their shop's `expiryMonths`, in every shop with
 * expiry on (or only `shop`). Safe to run from several processes at once: rows are keyed and each
 * chunk's members are locked before their balances are read.
 */
export async function expirePoints(now: Date, options: { shop?: string; batchSize?: number } = {}): Promise<ExpiryResult> {
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const programs = await db.programSettings.findMany({
    where: { expiryEnabled: true, expiryMonths: { gt: 0 }, ...(options.shop ? { shop: options.shop } : {}) },
    select: { shop: true, expiryMonths: true },
  });
  const shops = new Map(
    (
      await db.shop.findMany({
        where: { domain: { in: programs.map((p) => p.shop) } },
        select: { domain: true, timezone: true, uninstalledAt: true },
      })
    ).map((s) => [s.domain, s]),
  );
  const total: ExpiryResult = { customers: 0, points: 0 };
  for (const { shop, expiryMonths } of programs) {
    const facts = shops.get(shop);
    if (facts?.uninstalledAt) continue; // nothing happens to an uninstalled shop's members
    const cutoff = expiryCutoff(now, expiryMonths, facts?.timezone ?? "UTC");
    const reason = expiryReason(expiryMonths);
    const result: ExpiryResult = { customers: 0, points: 0 };
    for (let afterId = 0; ;) {
      const candidates = await inactiveMembers(db, shop, cutoff, { afterId, limit: batchSize });
      if (candidates.length === 0) break;
      afterId = candidates[candidates.length - 1].id;
      const appended = await db.$transaction(
        (tx) =>
          expireChunk(
            tx,
            shop,
            cutoff,
            reason,
            candidates.map((c) => c.id),
          ),
        { timeout: 30_000 },
      );
      result.customers += appended.length;
      result.points -= appended.reduce((sum, e) => sum + e.delta, 0);
      if (candidates.length < batchSize) break;
    }
    if (result.customers) log.info("points.expired", { shop, ...result, cutoff: cutoff.toISOString() });
    total.customers += result.customers;
    total.points += result.points;
  }
  return total;
}

/** Locks the chunk's members, checks again what the sweep selected before the lock, and expires them. */
async function expireChunk(tx: Tx, shop: string, cutoff: Date, reason: string, ids: number[]): Promise<NewLedgerEntry[]> {
  // In id order, so concurrent sweeps queue behind each other instead of deadlocking. An order
  // recorded since the selection holds the member's row until it commits, and the check below runs
  // after the lock: it sees that order and spares the member.
  const lock = dialect() === "postgres" ? " FOR UPDATE" : "";
  const locked = await query<{ id: number; pointsBalance: number }>(
    tx,
    `SELECT "id", "pointsBalance" FROM "Customer" WHERE "id" IN (${ids.map(() => "?").join(", ")}) ORDER BY "id"${lock}`,
    ids,
  );
  const balances = new Map(locked.map((r) => [Number(r.id), Number(r.pointsBalance)]));
  const still = await inactiveMembers(tx, shop, cutoff, { ids });
  const entries: NewLedgerEntry[] = still
    .filter((m) => (balances.get(m.id) ?? 0) > 0)
    .map((m) => ({
      shop,
      customerId: m.id,
      delta: -balances.get(m.id)!,
      kind: "expire",
      reason,
      idempotencyKey: `expire:${m.id}:${m.lastActivity.toISOString()}`,
    }));
  return appendEntries(tx, entries);
}

type Inactive = { id: number; lastActivity: Date };

/**
 * Members of `shop` with a positive balance whose last activity is before `cutoff`: the next
 * `limit` after `afterId`, or those among `ids`. One statement; the per-member latest order is an
 * index-only backward scan of Order_customer_idx (customerId, shop, processedAt, test,
 * cancelledAt, …), so a chunk costs its own members, not the shop's whole order history.
 */
export async function inactiveMembers(
  tx: Pick<Tx, "$queryRawUnsafe" | "$executeRawUnsafe">,
  shop: string,
  cutoff: Date,
  range: { afterId: number; limit: number } | { ids: number[] },
): Promise<Inactive[]> {
  const which =
    "ids" in range
      ? { sql: `c."id" IN (${range.ids.map(() => "?").join(", ")})`, params: range.ids, tail: "", tailParams: [] as unknown[] }
      : { sql: `c."id" > ?`, params: [range.afterId], tail: " LIMIT ?", tailParams: [range.limit] };
  const rows = await query<{ id: number; lastOrderAt: unknown; enrolledAt: unknown }>(
    tx,
    `SELECT * FROM (
       SELECT c."id",
         (SELECT MAX(o."processedAt") FROM "Order" o
           WHERE o."shop" = c."shop" AND o."customerId" = c."id" AND NOT o."test" AND o."cancelledAt" IS NULL) AS "lastOrderAt",
         COALESCE(c."enrolledAt",
           (SELECT l."createdAt" FROM "LedgerEntry" l WHERE l."customerId" = c."id" ORDER BY l."id" LIMIT 1)) AS "enrolledAt"
       FROM "Customer" c
       WHERE c."shop" = ? AND c."pointsBalance" > 0 AND ${which.sql}
     ) m
     WHERE ("lastOrderAt" IS NULL OR "lastOrderAt" < ?) AND "enrolledAt" < ?
     ORDER BY "id"${which.tail}`,
    [shop, ...which.params, cutoff, cutoff, ...which.tailParams],
  );
  return rows.map((r) => {
    const lastOrderAt = r.lastOrderAt == null ? null : toDate(r.lastOrderAt);
    const enrolledAt = toDate(r.enrolledAt);
    return { id: Number(r.id), lastActivity: lastOrderAt && lastOrderAt > enrolledAt ? lastOrderAt : enrolledAt };
  });
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "number") return new Date(value);
  return new Date(String(value));
}
