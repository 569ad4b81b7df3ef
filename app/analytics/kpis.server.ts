// The retention KPIs of docs/kpis.md for periods [from, to).
//
// The shop's counted orders are read once, packed (order-history.server.ts); one pass over them
// per customer (`scanOf`) yields every customer-level KPI for several periods at once (the period,
// the previous one, the trailing years the textbook CLV uses) plus what RFM, the CLV models, the
// monthly customers and the cohorts need, and `totalsOf` the orders and revenue (guests included).
// `customerCounts` is the earlier grouped SQL form of the same counts, kept as the tests' reference:
// the two read side by side here.
//
// "Active at t" is read as: at least one order in [t − W, t) — the trailing window that closes
// just before t. The instant t itself belongs to the period that starts at t, so an order placed
// exactly at local midnight counts in that period and never also as activity before it. Then
// customersAtEnd = retained + new + reactivated exactly (when the period is no longer than W).
import { dialect, type Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { bucketOf } from "./buckets";
import { COUNTED, orderHistory, type OrderHistory } from "./order-history.server";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** A period as UTC instants, with the instants its trailing windows start at. */
export interface Window {
  from: Date;
  to: Date;
  /** from − W */
  fromWindowStart: Date;
  /** to − W */
  toWindowStart: Date;
}

export interface CustomerCounts {
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  retainedCustomers: number;
  reactivatedCustomers: number;
  /** Customers with ≥ 1 / ≥ 2 counted orders before `to`. */
  customersEver: number;
  repeatCustomersEver: number;
  /** Customers who ordered in the period, and those of them with > 1 order before `to`. */
  customersOrdering: number;
  returningCustomersOrdering: number;
  /** Counted orders with a customer placed in the period. */
  customerOrders: number;
}

export interface OrderTotals {
  orders: number;
  /** Orders with a customer (guests excluded). */
  customerOrders: number;
  revenueCents: number;
  memberOrders: number;
  memberRevenueCents: number;
  memberCustomers: number;
  nonMemberOrders: number;
  nonMemberRevenueCents: number;
  nonMemberCustomers: number;
  /** Non-member orders that have a customer (guests have no frequency). */
  nonMemberCustomerOrders: number;
}

const between = (column: string) => `${column} >= ? AND ${column} < ?`;

/** Every customer-level count of docs/kpis.md, for each window, in one scan of orders before the last `to` (the reference `customerScan` is tested against). */
export async function customerCounts(db: Executor, shop: string, windows: Window[]): Promise<CustomerCounts[]> {
  const inner: string[] = [];
  const innerParams: unknown[] = [];
  const outer: string[] = [];
  const outerParams: unknown[] = [];
  windows.forEach((w, i) => {
    inner.push(
      `MAX(CASE WHEN ${between(`o."processedAt"`)} THEN 1 ELSE 0 END) AS "s${i}"`,
      `MAX(CASE WHEN ${between(`o."processedAt"`)} THEN 1 ELSE 0 END) AS "e${i}"`,
      `SUM(CASE WHEN ${between(`o."processedAt"`)} THEN 1 ELSE 0 END) AS "in${i}"`,
      `SUM(CASE WHEN o."processedAt" < ? THEN 1 ELSE 0 END) AS "n${i}"`,
    );
    innerParams.push(w.fromWindowStart, w.from, w.toWindowStart, w.to, w.from, w.to, w.to);
    outer.push(
      `SUM(c."s${i}") AS "customersAtStart${i}"`,
      `SUM(c."e${i}") AS "customersAtEnd${i}"`,
      `SUM(CASE WHEN ${between(`c."first"`)} THEN 1 ELSE 0 END) AS "newCustomers${i}"`,
      `SUM(CASE WHEN c."s${i}" = 1 AND c."e${i}" = 1 THEN 1 ELSE 0 END) AS "retainedCustomers${i}"`,
      `SUM(CASE WHEN c."s${i}" = 0 AND c."first" < ? AND c."in${i}" > 0 THEN 1 ELSE 0 END) AS "reactivatedCustomers${i}"`,
      `SUM(CASE WHEN c."n${i}" >= 1 THEN 1 ELSE 0 END) AS "customersEver${i}"`,
      `SUM(CASE WHEN c."n${i}" >= 2 THEN 1 ELSE 0 END) AS "repeatCustomersEver${i}"`,
      `SUM(CASE WHEN c."in${i}" > 0 THEN 1 ELSE 0 END) AS "customersOrdering${i}"`,
      `SUM(CASE WHEN c."in${i}" > 0 AND c."n${i}" > 1 THEN 1 ELSE 0 END) AS "returningCustomersOrdering${i}"`,
      `SUM(c."in${i}") AS "customerOrders${i}"`,
    );
    outerParams.push(w.from, w.to, w.from);
  });
  const end = new Date(Math.max(...windows.map((w) => w.to.getTime())));
  const [row] = await query<Record<string, unknown>>(
    db,
    `SELECT ${outer.join(",\n  ")}
     FROM (
       SELECT o."customerId", MIN(o."processedAt") AS "first", ${inner.join(",\n    ")}
       FROM "Order" o
       WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND o."processedAt" < ?
       GROUP BY o."customerId"
     ) c`,
    [...outerParams, ...innerParams, shop, end],
  );
  return windows.map((_, i) => {
    const get = (name: string) => toNumber(row?.[`${name}${i}`]);
    return {
      customersAtStart: get("customersAtStart"),
      customersAtEnd: get("customersAtEnd"),
      newCustomers: get("newCustomers"),
      retainedCustomers: get("retainedCustomers"),
      reactivatedCustomers: get("reactivatedCustomers"),
      customersEver: get("customersEver"),
      repeatCustomersEver: get("repeatCustomersEver"),
      customersOrdering: get("customersOrdering"),
      returningCustomersOrdering: get("returningCustomersOrdering"),
      customerOrders: get("customerOrders"),
    };
  });
}

/**
 * Orders and revenue (subtotal after discounts minus refunded subtotal) per window, guests
 * included, split by members (customers enrolled in the program before the period ends).
 */
export async function orderTotals(db: Db, shop: string, windows: Window[], { members = true } = {}): Promise<OrderTotals[]> {
  const end = new Date(Math.max(...windows.map((w) => w.to.getTime())));
  const guestsFrom = new Date(Math.min(...windows.map((w) => w.from.getTime())));
  const history = await orderHistory(db, dialect(), shop, end, { guestsFrom, members });
  return totalsOf(history, windows);
}

/** `orderTotals` from a history read with guests from the earliest window start (and enrolments for the member split). */
export function totalsOf(history: OrderHistory, windows: Window[]): OrderTotals[] {
  return windows.map((w) => {
    const from = w.from.getTime();
    const to = w.to.getTime();
    const t: OrderTotals = {
      orders: 0,
      customerOrders: 0,
      revenueCents: 0,
      memberOrders: 0,
      memberRevenueCents: 0,
      memberCustomers: 0,
      nonMemberOrders: 0,
      nonMemberRevenueCents: 0,
      nonMemberCustomers: 0,
      nonMemberCustomerOrders: 0,
    };
    const { at, revenueCents, start, enrolledAt } = history;
    for (let i = 0; i < history.ids.length; i++) {
      let orders = 0;
      let revenue = 0;
      for (let k = start[i]; k < start[i + 1] && at[k] < to; k++) {
        if (at[k] < from) continue;
        orders++;
        revenue += revenueCents[k];
      }
      if (orders === 0) continue;
      t.customerOrders += orders;
      t.revenueCents += revenue;
      if (enrolledAt && enrolledAt[i] < to) {
        t.memberOrders += orders;
        t.memberRevenueCents += revenue;
        t.memberCustomers++;
      } else if (enrolledAt) {
        t.nonMemberCustomerOrders += orders;
        t.nonMemberCustomers++;
      }
    }
    t.orders = t.customerOrders;
    for (let k = 0; k < history.guestAt.length; k++) {
      if (history.guestAt[k] < from || history.guestAt[k] >= to) continue;
      t.orders++;
      t.revenueCents += history.guestRevenueCents[k];
    }
    t.nonMemberOrders = t.orders - t.memberOrders;
    t.nonMemberRevenueCents = t.revenueCents - t.memberRevenueCents;
    return t;
  });
}

/** One row per customer with a counted order before `end`: what RFM, the CLV models and the KPIs need. */
export interface CustomerScan {
  /** Ascending. */
  ids: Int32Array;
  /** Counted orders before `asOf`; 0 for a customer whose orders are all in [asOf, end). */
  orders: Int32Array;
  /** Revenue (cents) of the orders before `asOf`. */
  revenueCents: Float64Array;
  /** First counted order, epoch seconds (whole milliseconds: both databases store ms). */
  first: Float64Array;
  /** Last counted order before `asOf`, epoch seconds (NaN when none). */
  last: Float64Array;
  /** The customer-level counts of each window (`customerOrders` left 0: `orderTotals` counts orders). */
  counts: CustomerCounts[];
  /** With `months`: per month, customers ordering and their orders, and the cohort cells. */
  months?: MonthActivity;
}

export interface MonthActivity {
  /** Counted orders in month k, guests included, and their revenue (cents). */
  orders: number[];
  revenueCents: number[];
  /** Distinct customers with a counted order in month k. */
  customers: number[];
  /** Counted orders with a customer in month k. */
  customerOrders: number[];
  /** cells[c][k]: customers whose first order is in month c ordering in month k, and their revenue (cents). */
  cohortCustomers: number[][];
  cohortRevenueCents: number[][];
}

/**
 * The per-customer facts and every customer-level count of each window, from the shop's order
 * history read to the latest `to` (and `asOf`). With `months` (boundaries of local months), also
 * each month's orders, customers and cohort cells — guests are counted in the month totals when
 * the history was read with guests from the first boundary.
 */
export async function customerScan(
  db: Db,
  dialectName: "sqlite" | "postgres",
  shop: string,
  windows: Window[],
  asOf: Date,
  months?: Date[],
): Promise<CustomerScan> {
  const history = await orderHistory(db, dialectName, shop, scanEnd(windows, asOf), {
    guestsFrom: months?.[0],
  });
  return scanOf(history, windows, asOf, months);
}

/** The instant a scan of these windows must read orders up to. */
export function scanEnd(windows: Window[], asOf: Date): Date {
  return new Date(Math.max(asOf.getTime(), ...windows.map((w) => w.to.getTime())));
}

/**
 * The scan in JS. Per customer (orders in time order): "active at t" is "the latest order before t
 * is at or after t − W", so each test is a walk over a handful of instants; an order exactly at a
 * boundary lands where the definitions say (`[from, to)` everywhere).
 */
export function scanOf(history: OrderHistory, windows: Window[], asOf: Date, months?: Date[]): CustomerScan {
  const n = history.ids.length;
  const { at, revenueCents: revenue, start } = history;
  const asOfMs = asOf.getTime();
  const scan: CustomerScan = {
    ids: history.ids,
    orders: new Int32Array(n),
    revenueCents: new Float64Array(n),
    first: new Float64Array(n),
    last: new Float64Array(n),
    counts: [],
  };
  const bounds = windows.map((w) => ({
    from: w.from.getTime(),
    to: w.to.getTime(),
    fromWindowStart: w.fromWindowStart.getTime(),
    toWindowStart: w.toWindowStart.getTime(),
  }));
  const tallies = windows.map(() => new Array<number>(9).fill(0));
  // The latest order before `ms` of the customer whose orders are [lo, hi); -Infinity when none.
  const latestBefore = (lo: number, hi: number, ms: number) => {
    let k = hi;
    while (k > lo && at[k - 1] >= ms) k--;
    return k > lo ? at[k - 1] : -Infinity;
  };
  const countBefore = (lo: number, hi: number, ms: number) => {
    let k = hi;
    while (k > lo && at[k - 1] >= ms) k--;
    return k - lo;
  };
  for (let i = 0; i < n; i++) {
    const lo = start[i];
    const hi = start[i + 1];
    const before = countBefore(lo, hi, asOfMs);
    let sum = 0;
    for (let k = lo; k < lo + before; k++) sum += revenue[k];
    scan.orders[i] = before;
    scan.revenueCents[i] = sum;
    scan.first[i] = at[lo] / 1000;
    scan.last[i] = before > 0 ? at[lo + before - 1] / 1000 : NaN;
    const first = at[lo];
    for (let w = 0; w < bounds.length; w++) {
      const b = bounds[w];
      const t = tallies[w];
      const latestBeforeTo = latestBefore(lo, hi, b.to);
      const startActive = latestBefore(lo, hi, b.from) >= b.fromWindowStart ? 1 : 0;
      const endActive = latestBeforeTo >= b.toWindowStart ? 1 : 0;
      const ordered = latestBeforeTo >= b.from ? 1 : 0;
      const repeat = countBefore(lo, hi, b.to) >= 2 ? 1 : 0;
      const ever = first < b.to ? 1 : 0;
      const firstBeforeFrom = first < b.from ? 1 : 0;
      t[0] += startActive;
      t[1] += endActive;
      t[2] += ever & (firstBeforeFrom ^ 1); // new: first order in [from, to)
      t[3] += startActive & endActive;
      t[4] += (startActive ^ 1) & ordered & firstBeforeFrom; // reactivated
      t[5] += ever;
      t[6] += repeat;
      t[7] += ordered;
      t[8] += ordered & repeat;
    }
  }
  scan.counts = tallies.map((t) => ({
    customersAtStart: t[0],
    customersAtEnd: t[1],
    newCustomers: t[2],
    retainedCustomers: t[3],
    reactivatedCustomers: t[4],
    customersEver: t[5],
    repeatCustomersEver: t[6],
    customersOrdering: t[7],
    returningCustomersOrdering: t[8],
    customerOrders: 0,
  }));
  if (months) scan.months = monthActivity(history, months);
  return scan;
}

/** Each month's orders, revenue, customers and cohort cells over the local month `boundaries`. */
function monthActivity(history: OrderHistory, boundaries: Date[]): MonthActivity {
  const count = boundaries.length - 1;
  const zeros = () => new Array<number>(count).fill(0);
  const activity: MonthActivity = {
    orders: zeros(),
    revenueCents: zeros(),
    customers: zeros(),
    customerOrders: zeros(),
    cohortCustomers: Array.from({ length: count }, zeros),
    cohortRevenueCents: Array.from({ length: count }, zeros),
  };
  const first = boundaries[0].getTime();
  const last = boundaries[count].getTime();
  const { at, revenueCents, start } = history;
  const seen = new Int32Array(count).fill(-1);
  for (let i = 0; i < history.ids.length; i++) {
    // Cohort: the month of the first order, when it is inside the months.
    const cohort = bucketOf(at[start[i]], boundaries);
    const inCohort = cohort >= 0 && cohort < count;
    for (let k = start[i]; k < start[i + 1]; k++) {
      if (at[k] < first) continue;
      if (at[k] >= last) break;
      const month = bucketOf(at[k], boundaries);
      activity.orders[month]++;
      activity.revenueCents[month] += revenueCents[k];
      activity.customerOrders[month]++;
      if (seen[month] !== i) {
        seen[month] = i;
        activity.customers[month]++;
        if (inCohort) activity.cohortCustomers[cohort][month]++;
      }
      if (inCohort) activity.cohortRevenueCents[cohort][month] += revenueCents[k];
    }
  }
  for (let k = 0; k < history.guestAt.length; k++) {
    const ms = history.guestAt[k];
    if (ms < first || ms >= last) continue;
    const month = bucketOf(ms, boundaries);
    activity.orders[month]++;
    activity.revenueCents[month] += history.guestRevenueCents[k];
  }
  return activity;
}
