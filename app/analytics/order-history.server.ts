// A shop's counted orders, read once per report as two numbers an order (when, how much), grouped
// by customer. Every customer-level figure — the KPIs of each window, RFM, the CLV models'
// purchase days, the monthly customers and cohorts — and the order totals are then computed from
// these arrays in JS (kpis.server.ts, transactions.server.ts), in one pass each.
//
// Why not in SQL: the grouped scans that computed them in SQL evaluated a dozen CASE expressions
// per order (window bounds, month buckets, the local-day tree) and ran three times over the same
// index; at 1,000,000 orders that was 5–6 s on SQLite. Reading the orders packed (one text value
// for the whole shop, like `packedRows` did for the per-customer rows) costs one index pass and
// no expression per order but the concatenation (ADR 0036).
import type { Db } from "../db.server";
import { query } from "../db/sql.server";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

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

/** The shop's counted orders before `end`, per customer; guest orders and enrolments on request. */
export async function orderHistory(
  db: Executor,
  dialect: "sqlite" | "postgres",
  shop: string,
  end: Date,
  options: HistoryOptions = {},
): Promise<OrderHistory> {
  // SQLite keeps timestamps as ISO text (parsed here; converting in SQL costs more), PostgreSQL
  // as timestamp(3) (converted there). '@' separates an order's two numbers, ',' orders, ';' customers.
  const at = dialect === "postgres" ? `CAST(ROUND(EXTRACT(EPOCH FROM o."processedAt") * 1000) AS BIGINT)` : `o."processedAt"`;
  const revenue = `(o."subtotalCents" - o."refundedSubtotalCents")`;
  const customers =
    dialect === "postgres"
      ? `SELECT string_agg(c."id" || '=' || c."orders", ';') AS "data" FROM (
           SELECT o."customerId" AS "id", string_agg(${at} || '@' || ${revenue}, ',') AS "orders"
           FROM "Order" o WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND o."processedAt" < ?
           GROUP BY o."customerId") c`
      : `SELECT group_concat(c."id" || '=' || c."orders", ';') AS "data" FROM (
           SELECT o."customerId" AS "id", group_concat(${at} || '@' || ${revenue}, ',') AS "orders"
           FROM "Order" o WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND o."processedAt" < ?
           GROUP BY o."customerId") c`;
  const concat = dialect === "postgres" ? "string_agg" : "group_concat";
  const [customerRows, guestRows, memberRows] = await Promise.all([
    query<{ data: string | null }>(db, customers, [shop, end]),
    options.guestsFrom
      ? query<{ data: string | null }>(
          db,
          // The customer index reaches the guests (customerId NULL) directly.
          `SELECT ${concat}(${at} || '@' || ${revenue}, ',') AS "data"
           FROM "Order" o WHERE ${COUNTED} AND o."customerId" IS NULL AND o."processedAt" >= ? AND o."processedAt" < ?`,
          [shop, options.guestsFrom, end],
        )
      : Promise.resolve([]),
    options.members
      ? query<{ data: string | null }>(
          db,
          `SELECT ${concat}(c."id" || '=' || ${dialect === "postgres" ? `CAST(ROUND(EXTRACT(EPOCH FROM c."enrolledAt") * 1000) AS BIGINT)` : `c."enrolledAt"`}, ',') AS "data"
           FROM "Customer" c WHERE c."shop" = ? AND c."enrolledAt" IS NOT NULL`,
          [shop],
        )
      : Promise.resolve([]),
  ]);
  const history = parseCustomers(customerRows[0]?.data ?? "", dialect);
  const guests = parseOrders(guestRows[0]?.data ?? "", dialect);
  let enrolledAt: Float64Array | null = null;
  if (options.members) {
    enrolledAt = new Float64Array(history.ids.length).fill(NaN);
    const index = new Map<number, number>();
    history.ids.forEach((id, i) => index.set(id, i));
    for (const entry of (memberRows[0]?.data ?? "").split(",")) {
      if (!entry) continue;
      const eq = entry.indexOf("=");
      const i = index.get(Number(entry.slice(0, eq)));
      if (i !== undefined) enrolledAt[i] = instant(entry.slice(eq + 1), dialect);
    }
  }
  return { ...history, guestAt: guests.at, guestRevenueCents: guests.revenueCents, enrolledAt, end };
}

/** Epoch ms of the stored timestamp text[from, to): PostgreSQL sends the number, SQLite its ISO text. */
function instant(text: string, dialect: "sqlite" | "postgres", from = 0, to = text.length): number {
  const ms = dialect === "postgres" ? Number(text.slice(from, to)) : isoMs(text, from, to);
  if (!Number.isFinite(ms)) throw new Error(`orderHistory: unreadable timestamp "${text.slice(from, to)}"`);
  return ms;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const digits = (s: string, i: number, n: number) => {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 10 + digit(s, i + k);
  return v;
};

/**
 * `YYYY-MM-DDTHH:MM:SS.mmm+00:00`, the form Prisma writes on SQLite, by arithmetic (Date.parse
 * took 0.4 s a million); any other form through Date.parse.
 */
export function isoMs(s: string, from = 0, to = s.length): number {
  const at = from;
  if (
    to - from !== 29 ||
    s.charCodeAt(at + 4) !== 45 /* - */ ||
    s.charCodeAt(at + 7) !== 45 ||
    s.charCodeAt(at + 10) !== 84 /* T */ ||
    s.charCodeAt(at + 13) !== 58 /* : */ ||
    s.charCodeAt(at + 16) !== 58 ||
    s.charCodeAt(at + 19) !== 46 /* . */ ||
    !s.startsWith("+00:00", at + 23)
  ) {
    return Date.parse(s.slice(from, to));
  }
  const y = digits(s, at, 4);
  const m = digits(s, at + 5, 2);
  const d = digits(s, at + 8, 2);
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  const ms =
    ((days * 24 + digits(s, at + 11, 2)) * 60 + digits(s, at + 14, 2)) * 60_000 +
    digits(s, at + 17, 2) * 1000 +
    digits(s, at + 20, 3);
  return Number.isNaN(ms) ? Date.parse(s.slice(from, to)) : ms;
}

/** The packed "id=at@revenue,…;…" text of `orderHistory`, in id order and each customer's orders in time order. */
export function parseCustomers(data: string, dialect: "sqlite" | "postgres") {
  // Two passes over the text: count, then fill typed arrays (no array of strings per order).
  let customers = 0;
  let orders = 0;
  if (data) {
    customers = 1;
    orders = 1;
    for (let p = 0; p < data.length; p++) {
      const c = data.charCodeAt(p);
      if (c === 59 /* ; */) {
        customers++;
        orders++;
      } else if (c === 44 /* , */) orders++;
    }
  }
  const groups: { id: number; from: number; to: number }[] = new Array(customers);
  const at = new Float64Array(orders);
  const revenueCents = new Float64Array(orders);
  let k = 0;
  let p = 0;
  for (let g = 0; g < customers; g++) {
    const eq = data.indexOf("=", p);
    let groupEnd = data.indexOf(";", eq);
    if (groupEnd < 0) groupEnd = data.length;
    const from = k;
    let q = eq + 1;
    while (q < groupEnd) {
      const sep = data.indexOf("@", q);
      let next = data.indexOf(",", sep);
      if (next < 0 || next > groupEnd) next = groupEnd;
      at[k] = instant(data, dialect, q, sep);
      revenueCents[k] = Number(data.slice(sep + 1, next));
      k++;
      q = next + 1;
    }
    groups[g] = { id: Number(data.slice(p, eq)), from, to: k };
    p = groupEnd + 1;
  }
  // In id order, each customer's orders in time order: neither order is promised by the grouping.
  let byId = true;
  for (let g = 1; g < customers && byId; g++) byId = groups[g - 1].id < groups[g].id;
  if (!byId) groups.sort((a, b) => a.id - b.id);
  const ids = new Int32Array(customers);
  const start = new Int32Array(customers + 1);
  const sortedAt = byId ? at : new Float64Array(orders);
  const sortedRevenue = byId ? revenueCents : new Float64Array(orders);
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
  start[customers] = w;
  return { ids, start, at: sortedAt, revenueCents: sortedRevenue };
}

function parseOrders(data: string, dialect: "sqlite" | "postgres") {
  const orders = data ? data.split(",") : [];
  const at = new Float64Array(orders.length);
  const revenueCents = new Float64Array(orders.length);
  orders.forEach((order, k) => {
    const sep = order.lastIndexOf("@");
    at[k] = instant(order.slice(0, sep), dialect);
    revenueCents[k] = Number(order.slice(sep + 1));
  });
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

/** Number of customer i's orders before `ms`. */
export function ordersBefore(history: OrderHistory, i: number, ms: number): number {
  const from = history.start[i];
  let k = from;
  const to = history.start[i + 1];
  while (k < to && history.at[k] < ms) k++;
  return k - from;
}
