// A shop's counted orders, read once per report as two numbers an order (when, how much), grouped
// by customer. Every customer-level figure — the KPIs of each window, RFM, the CLV models'
// purchase days, the monthly customers and cohorts — and the order totals are then computed from
// these arrays in JS (kpis.server.ts, transactions.server.ts), in one pass each.
//
// The orders come from "CustomerOrderHistory": one row per customer with its counted orders
// packed as text, kept by the database itself — triggers on "Order" mark a customer stale on any
// write that can change what its orders count for, and `refreshOrderHistory` rebuilds the stale
// rows from "Order" (before every read, and at the end of the history import). A cold report then
// reads 200,000 short rows instead of grouping 1,000,000 orders (ADR 0036).
import type { Db } from "../db.server";
import { execute, query, toNumber } from "../db/sql.server";
import { mark, timed } from "./profile";

/** Orders that count for customer KPIs: not test, not cancelled (and, for customer figures, with a customer). */
export const COUNTED = `o."shop" = ? AND NOT o."test" AND o."cancelledAt" IS NULL`;

export interface OrderHistory {
  /** Customers with a counted order before `end`, ascending id. */
  ids: Int32Array;
  /** Customer i's orders are at indexes start[i] … start[i + 1] − 1, in time order. */
  start: Int32Array;
  /** Epoch ms of each order (both databases store whole milliseconds). */
  at: Float64Array;
  /** Subtotal after discounts minus refunded subtotal, cents. */
  revenueCents: Float64Array;
  /** Guest orders (no customer) in [guestsFrom, end), in no particular order. */
  guestAt: Float64Array;
  guestRevenueCents: Float64Array;
  /** With `members`: when each customer enrolled in the program, epoch ms, NaN if never. */
  enrolledAt: Float64Array | null;
  /** Every order read is before this instant. */
  end: Date;
}

export interface HistoryOptions {
  /** Also read guest orders from this instant on (order totals include guests). */
  guestsFrom?: Date;
  /** Also read when each customer enrolled (member / non-member totals). */
  members?: boolean;
}

type Dialect = "sqlite" | "postgres";

/** Epoch ms of a timestamp column, an integer on both databases (SQLite keeps ISO text; converted when a row is rebuilt, not on every read). */
const epoch = (dialect: Dialect, column: string) =>
  dialect === "postgres"
    ? `CAST(date_part('epoch', ${column}) * 1000 AS BIGINT)`
    : `CAST(ROUND((julianday(${column}) - 2440587.5) * 86400000.0) AS INTEGER)`;
const concat = (dialect: Dialect) => (dialect === "postgres" ? "string_agg" : "group_concat");
/** One order as packed text: '@' separates its two numbers, ',' orders, ';' customers. */
const packedOrder = (dialect: Dialect) =>
  `${epoch(dialect, `o."processedAt"`)} || '@' || (o."subtotalCents" - o."refundedSubtotalCents")`;

/** Above this many stale customers, the whole shop is rebuilt in one pass. */
const WHOLE_SHOP_REBUILD = 5_000;

/** The mark that stands for every customer of the shop (customer ids start at 1). */
const WHOLE_SHOP = 0;

/**
 * For a bulk writer (the history import's chunks): marks the whole shop stale in the caller's
 * transaction, and on PostgreSQL tells the order triggers to leave out their per-customer marks
 * until that transaction ends. At 1,000,000 orders those marks were 200,000 upserts, one lock per
 * order, for a shop the next report rebuilds whole anyway. The mark is written like the triggers
 * write theirs (an upsert that locks an existing row), so a report running meanwhile skips it
 * until the chunk commits and then rebuilds with the chunk in.
 */
export async function markWholeShopStale(tx: Parameters<typeof execute>[0], dialect: Dialect, shop: string) {
  // PostgreSQL: the setting is made by the same statement (set_config runs before the insert).
  const values =
    dialect === "postgres"
      ? `SELECT ?, ? FROM (SELECT set_config('regulars.order_marks', 'shop', true)) AS local_setting`
      : `VALUES (?, ?)`;
  await execute(
    tx,
    `INSERT INTO "CustomerOrderHistoryStale" ("shop", "customerId") ${values}
     ON CONFLICT ("shop", "customerId") DO UPDATE SET "customerId" = excluded."customerId" WHERE FALSE`,
    [shop, WHOLE_SHOP],
  );
}

/**
 * Rebuilds the packed orders of the shop's stale customers from "Order"; returns how many. Two
 * reports at once rebuild one after the other (PostgreSQL: an advisory lock per shop), so neither
 * reads rows the other is halfway through.
 */
export async function refreshOrderHistory(db: Db, dialect: Dialect, shop: string): Promise<number> {
  return db.$transaction(
    async (tx) => {
      if (dialect === "postgres")
        await query(tx, `SELECT CAST(pg_advisory_xact_lock(hashtext(?)) AS TEXT) AS "locked"`, [`order-history:${shop}`]);
      // Which customers to rebuild: every one marked when the report starts, so each order
      // committed by then is in. Their marks are claimed (deleted) in a statement of their own, and
      // the rebuild reads "Order" in a later one, which (PostgreSQL, read committed) sees every
      // order whose mark was claimed. A mark locked by a writer still in flight is skipped, not
      // waited for: the customer is rebuilt from what is committed and stays marked, so the next
      // refresh picks up the writer's order. SQLite runs one writer at a time: nothing is in flight.
      const [{ n, everyone }] = await query<{ n: unknown; everyone: unknown }>(
        tx,
        `SELECT COUNT(*) AS "n", SUM(CASE WHEN "customerId" = ? THEN 1 ELSE 0 END) AS "everyone"
         FROM "CustomerOrderHistoryStale" WHERE "shop" = ?`,
        [WHOLE_SHOP, shop],
      );
      const stale = toNumber(n);
      if (stale === 0) return 0;
      const claim =
        dialect === "postgres"
          ? `DELETE FROM "CustomerOrderHistoryStale" WHERE "shop" = ? AND "customerId" IN (
               SELECT "customerId" FROM "CustomerOrderHistoryStale" WHERE "shop" = ? FOR UPDATE SKIP LOCKED)`
          : `DELETE FROM "CustomerOrderHistoryStale" WHERE "shop" = ?`;
      const claimParams = dialect === "postgres" ? [shop, shop] : [shop];
      // After an import most of the shop is stale: one grouped pass over its orders is much faster
      // than looking 200,000 customers up one by one (PostgreSQL: 2.5 s against 10 s at 1,000,000
      // orders), and the marks need not come back to JS (200,000 rows of them cost ~100 MB).
      const whole = stale > WHOLE_SHOP_REBUILD || toNumber(everyone) > 0;
      let ids: number[] = [];
      if (whole) {
        await execute(tx, claim, claimParams);
      } else {
        const marked =
          dialect === "postgres"
            ? await query<{ customerId: unknown }>(tx, `SELECT "customerId" FROM "CustomerOrderHistoryStale" WHERE "shop" = ?`, [
                shop,
              ])
            : [];
        const claimed = await query<{ customerId: unknown }>(tx, `${claim} RETURNING "customerId"`, claimParams);
        ids = [...new Set([...marked, ...claimed].map((row) => Number(row.customerId)))];
      }
      const among =
        dialect === "postgres"
          ? (column: string) => `${column} = ANY(CAST(? AS integer[]))`
          : (column: string) => `${column} IN (SELECT value FROM json_each(?))`;
      const chosen = (column: string) => (whole ? "" : ` AND ${among(column)}`);
      const params = whole ? [shop] : [shop, dialect === "postgres" ? ids : JSON.stringify(ids)];
      await execute(tx, `DELETE FROM "CustomerOrderHistory" WHERE "shop" = ?${chosen(`"customerId"`)}`, params);
      await execute(
        tx,
        `INSERT INTO "CustomerOrderHistory" ("shop", "customerId", "orders")
         SELECT o."shop", o."customerId", ${concat(dialect)}(${packedOrder(dialect)}, ',' ORDER BY o."processedAt")
         FROM "Order" o
         WHERE ${COUNTED} AND o."customerId" IS NOT NULL${chosen(`o."customerId"`)}
         GROUP BY o."shop", o."customerId"`,
        params,
      );
      return whole ? stale : ids.length;
    },
    // A rebuild after a million-order import takes seconds, not Prisma's default 5.
    { timeout: 300_000, maxWait: 60_000 },
  );
}

/** The shop's counted orders before `end`, per customer; guest orders and enrolments on request. */
export async function orderHistory(
  db: Db,
  dialect: Dialect,
  shop: string,
  end: Date,
  options: HistoryOptions = {},
): Promise<OrderHistory> {
  await timed("orderHistory refresh", () => refreshOrderHistory(db, dialect, shop));
  const reading = performance.now();
  const [guestRows, memberRows, customerRows] = await Promise.all([
    options.guestsFrom
      ? query<{ data: string | null }>(
          db,
          // Guests have no history row; the customer index reaches them (customerId NULL) directly.
          `SELECT ${concat(dialect)}(${packedOrder(dialect)}, ',') AS "data"
           FROM "Order" o WHERE ${COUNTED} AND o."customerId" IS NULL AND o."processedAt" >= ? AND o."processedAt" < ?`,
          [shop, options.guestsFrom, end],
        )
      : Promise.resolve([]),
    options.members
      ? query<{ data: string | null }>(
          db,
          `SELECT ${concat(dialect)}(c."id" || '=' || ${epoch(dialect, `c."enrolledAt"`)}, ',') AS "data"
           FROM "Customer" c WHERE c."shop" = ? AND c."enrolledAt" IS NOT NULL`,
          [shop],
        )
      : Promise.resolve([]),
    query<{ data: string | null }>(
      db,
      `SELECT ${concat(dialect)}(h."customerId" || '=' || h."orders", ';') AS "data"
       FROM "CustomerOrderHistory" h WHERE h."shop" = ?`,
      [shop],
    ),
  ]);
  mark("orderHistory read", reading);
  const parsing = performance.now();
  const history = parseCustomers(customerRows[0]?.data ?? "", end.getTime());
  const guests = parseOrders(guestRows[0]?.data ?? "");
  let enrolledAt: Float64Array | null = null;
  if (options.members) {
    enrolledAt = new Float64Array(history.ids.length).fill(NaN);
    const index = new Map<number, number>();
    history.ids.forEach((id, i) => index.set(id, i));
    const text = memberRows[0]?.data ?? "";
    const reader = new PackedReader(text);
    while (text && !reader.done()) {
      const i = index.get(reader.integer(EQUALS));
      const at = reader.integer(COMMA);
      if (i !== undefined) enrolledAt[i] = at;
    }
  }
  mark("orderHistory parse", parsing);
  return { ...history, guestAt: guests.at, guestRevenueCents: guests.revenueCents, enrolledAt, end };
}

const END = -1;
const SEMICOLON = 59;
const COMMA = 44;
const EQUALS = 61;
const AT = 64;

/**
 * Reads the packed text's integers in place, left to right (a string per number, as split and
 * Number would make, cost more than the reading). Anything but an integer where one is due is an
 * error: an order is never counted at a made-up time or amount.
 */
class PackedReader {
  private at = 0;
  // The text is ASCII: read as bytes, which is several times faster than charCodeAt on the
  // (often non-flat) string a driver hands over.
  private readonly bytes: Uint8Array;
  /** The separator the last integer ended at (END at the end of the text). */
  last = END;
  constructor(text: string) {
    this.bytes = Buffer.from(text, "latin1");
  }

  done() {
    return this.at >= this.bytes.length;
  }

  /** The integer at the cursor, which must end at char code `end` or `orEnd` (or the end of the text); the cursor moves past it. */
  integer(end: number, orEnd = end): number {
    const { bytes } = this;
    const length = bytes.length;
    const start = this.at;
    let c = this.at < length ? bytes[this.at] : END;
    const negative = c === 45; /* - */
    if (negative) c = ++this.at < length ? bytes[this.at] : END;
    let value = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      c = ++this.at < length ? bytes[this.at] : END;
    }
    if (digits === 0 || !(c === end || c === orEnd || c === END)) {
      const shown = Buffer.from(bytes.subarray(start, Math.min(length, Math.max(this.at + 1, start + 20)))).toString("latin1");
      throw new Error(`orderHistory: unreadable number "${shown}"`);
    }
    this.last = c;
    this.at++;
    return negative ? -value : value;
  }

  /** How many times `code` occurs in the text (to size the arrays before reading). */
  count(code: number): number {
    let n = 0;
    for (let p = 0; p < this.bytes.length; p++) if (this.bytes[p] === code) n++;
    return n;
  }
}

/**
 * The packed "id=at@revenue,…;…" text of `orderHistory`: the orders before `before`, customers in
 * id order (those without such an order left out), each customer's orders in time order.
 */
export function parseCustomers(data: string, before = Infinity) {
  // Two passes over the text: count, then fill typed arrays.
  const reader = new PackedReader(data);
  const customers = data ? reader.count(SEMICOLON) + 1 : 0;
  let orders = data ? reader.count(COMMA) + customers : 0;
  const groups: { id: number; from: number; to: number }[] = [];
  const at = new Float64Array(orders);
  const revenueCents = new Float64Array(orders);
  let k = 0;
  while (data && !reader.done()) {
    const id = reader.integer(EQUALS);
    const from = k;
    do {
      const when = reader.integer(AT);
      const revenue = reader.integer(COMMA, SEMICOLON);
      if (when < before) {
        at[k] = when;
        revenueCents[k] = revenue;
        k++;
      }
    } while (reader.last === COMMA);
    if (k > from) groups.push({ id, from, to: k });
  }
  const kept = groups.length;
  orders = k;
  // In id order, each customer's orders in time order: neither order is promised by the grouping.
  let byId = true;
  for (let g = 1; g < kept && byId; g++) byId = groups[g - 1].id < groups[g].id;
  if (!byId) groups.sort((a, b) => a.id - b.id);
  const ids = new Int32Array(kept);
  const start = new Int32Array(kept + 1);
  const sortedAt = byId ? at.subarray(0, orders) : new Float64Array(orders);
  const sortedRevenue = byId ? revenueCents.subarray(0, orders) : new Float64Array(orders);
  let w = 0;
  groups.forEach((group, i) => {
    ids[i] = group.id;
    start[i] = w;
    if (!byId) {
      sortedAt.set(at.subarray(group.from, group.to), w);
      sortedRevenue.set(revenueCents.subarray(group.from, group.to), w);
    }
    w += group.to - group.from;
    for (let j = start[i] + 1; j < w; j++) {
      if (sortedAt[j] < sortedAt[j - 1]) {
        sortSlice(sortedAt, sortedRevenue, start[i], w);
        break;
      }
    }
  });
  start[kept] = w;
  return { ids, start, at: sortedAt, revenueCents: sortedRevenue };
}

/** Guest orders, "at@revenue,…", in no particular order. */
function parseOrders(data: string) {
  const reader = new PackedReader(data);
  const orders = data ? reader.count(COMMA) + 1 : 0;
  const at = new Float64Array(orders);
  const revenueCents = new Float64Array(orders);
  for (let k = 0; k < orders; k++) {
    at[k] = reader.integer(AT);
    revenueCents[k] = reader.integer(COMMA);
  }
  return { at, revenueCents };
}

/** Sorts orders [from, to) by time, keeping each revenue with its instant. */
function sortSlice(at: Float64Array, revenueCents: Float64Array, from: number, to: number) {
  const pairs = Array.from({ length: to - from }, (_, j) => [at[from + j], revenueCents[from + j]] as const);
  pairs.sort((a, b) => a[0] - b[0]);
  pairs.forEach(([t, r], j) => {
    at[from + j] = t;
    revenueCents[from + j] = r;
  });
}
