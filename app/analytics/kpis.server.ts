// The retention KPIs of docs/kpis.md for periods [from, to), aggregated in the database.
//
// 441 lines on purpose: the plain reference counts (`customerCounts`) and the grouped scan that must
// equal them (`customerScan`) read side by side; the scan alone is one long SQL-and-fold routine.
//
// One grouped scan over the shop's counted orders (`customerScan`: one packed row per customer,
// summed in JS) yields every customer-level KPI for several periods at once (the period, the
// previous one, the trailing year the textbook CLV uses) plus what RFM, the CLV models, the monthly
// customers and the cohorts need; range scans yield orders and revenue (guests included).
// `customerCounts` is the earlier, plainer form of the same counts, kept as the tests' reference.
//
// "Active at t" is read as: at least one order in [t − W, t) — the trailing window that closes
// just before t. The instant t itself belongs to the period that starts at t, so an order placed
// exactly at local midnight counts in that period and never also as activity before it. Then
// customersAtEnd = retained + new + reactivated exactly (when the period is no longer than W).
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { bucketExpression, bucketOf } from "./buckets";
import { epochMs } from "./local-days";

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

/** Orders that count for customer KPIs: not test, not cancelled, with a customer. */
export const COUNTED = `o."shop" = ? AND NOT o."test" AND o."cancelledAt" IS NULL`;

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
export async function orderTotals(
  db: Executor,
  shop: string,
  windows: Window[],
  { members = true } = {},
): Promise<OrderTotals[]> {
  const columns: string[] = [];
  const params: unknown[] = [];
  const revenue = `(o."subtotalCents" - o."refundedSubtotalCents")`;
  windows.forEach((w, i) => {
    const inPeriod = between(`o."processedAt"`);
    if (!members) {
      columns.push(
        `SUM(CASE WHEN ${inPeriod} THEN 1 ELSE 0 END) AS "orders${i}"`,
        `SUM(CASE WHEN ${inPeriod} THEN ${revenue} ELSE 0 END) AS "revenue${i}"`,
        `SUM(CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL THEN 1 ELSE 0 END) AS "customerOrders${i}"`,
      );
      params.push(w.from, w.to, w.from, w.to, w.from, w.to);
      return;
    }
    const member = `c."enrolledAt" IS NOT NULL AND c."enrolledAt" < ?`;
    columns.push(
      `SUM(CASE WHEN ${inPeriod} THEN 1 ELSE 0 END) AS "orders${i}"`,
      `SUM(CASE WHEN ${inPeriod} THEN ${revenue} ELSE 0 END) AS "revenue${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL THEN 1 ELSE 0 END) AS "customerOrders${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND ${member} THEN 1 ELSE 0 END) AS "memberOrders${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND ${member} THEN ${revenue} ELSE 0 END) AS "memberRevenue${i}"`,
      `COUNT(DISTINCT CASE WHEN ${inPeriod} AND ${member} THEN o."customerId" END) AS "memberCustomers${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL AND NOT (${member}) THEN 1 ELSE 0 END) AS "nonMemberCustomerOrders${i}"`,
      `COUNT(DISTINCT CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL AND NOT (${member}) THEN o."customerId" END) AS "nonMemberCustomers${i}"`,
    );
    params.push(w.from, w.to, w.from, w.to, w.from, w.to, w.from, w.to, w.to, w.from, w.to, w.to, w.from, w.to, w.to);
    params.push(w.from, w.to, w.to, w.from, w.to, w.to);
  });
  const start = new Date(Math.min(...windows.map((w) => w.from.getTime())));
  const end = new Date(Math.max(...windows.map((w) => w.to.getTime())));
  const [row] = await query<Record<string, unknown>>(
    db,
    `SELECT ${columns.join(",\n  ")}
     FROM "Order" o ${members ? `LEFT JOIN "Customer" c ON c."id" = o."customerId"` : ""}
     WHERE ${COUNTED} AND o."processedAt" >= ? AND o."processedAt" < ?`,
    [...params, shop, start, end],
  );
  return windows.map((_, i) => {
    const get = (name: string) => toNumber(row?.[`${name}${i}`]);
    const orders = get("orders");
    const revenueCents = get("revenue");
    const memberOrders = get("memberOrders");
    const memberRevenueCents = get("memberRevenue");
    return {
      orders,
      customerOrders: get("customerOrders"),
      revenueCents,
      memberOrders,
      memberRevenueCents,
      memberCustomers: get("memberCustomers"),
      nonMemberOrders: orders - memberOrders,
      nonMemberRevenueCents: revenueCents - memberRevenueCents,
      nonMemberCustomers: get("nonMemberCustomers"),
      nonMemberCustomerOrders: get("nonMemberCustomerOrders"),
    };
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
  /** Per customer, one bit per distinct test of the windows (layout private to `customerScan`). */
  flags: Int32Array;
  /** The customer-level counts of each window, summed from the flags (`customerOrders` left 0). */
  counts: CustomerCounts[];
  /** With `months`: per month, customers ordering and their orders, and the cohort cells. */
  months?: MonthActivity;
}

export interface MonthActivity {
  /** Distinct customers with a counted order in month k. */
  customers: number[];
  /** Counted orders with a customer in month k. */
  customerOrders: number[];
  /** cells[c][k]: customers whose first order is in month c ordering in month k, and their revenue (cents). */
  cohortCustomers: number[][];
  cohortRevenueCents: number[][];
}

/**
 * The one grouped scan of a shop's counted orders (read from the covering index on
 * (shop, customerId, processedAt, …), never the table): per customer the order count, revenue,
 * first and last order before `asOf`, and a bit set saying, for each window, whether the customer
 * was active at its start, at its end, ordered in it, had ≥ 1 / ≥ 2 orders before its end, is new
 * in it, or had ordered before it. Every customer-level KPI is then a count of a bit.
 *
 * Cheap per order: "an order in [a, b)" is read as "the latest order before b is ≥ a", so each
 * distinct upper bound costs one comparison per order, and the interval tests run once per
 * customer. All comparisons are made in SQL on the stored timestamps, so an order exactly at a
 * boundary instant lands where the definitions say. The ~200,000 customer rows come back as one
 * comma-separated text value (six numbers a customer): materialising that many rows through the
 * driver costs more than the scan itself.
 */
export async function customerScan(
  db: Executor,
  dialect: "sqlite" | "postgres",
  shop: string,
  windows: Window[],
  asOf: Date,
  /** Month boundaries (trends and cohorts): also collect each customer's orders per month. */
  months?: Date[],
): Promise<CustomerScan> {
  const p = `o."processedAt"`;
  const inner: string[] = [];
  const innerParams: unknown[] = [];
  const latestBefore = new Map<number, string>(); // instant → column: latest order before it
  const countBefore = new Map<number, string>(); // instant → column: orders before it
  const column = (map: Map<number, string>, prefix: string, at: Date, sql: string) => {
    let name = map.get(at.getTime());
    if (!name) {
      name = `${prefix}${map.size}`;
      map.set(at.getTime(), name);
      inner.push(`${sql} AS "${name}"`);
      innerParams.push(at);
    }
    return `c."${name}"`;
  };
  // The scan reads orders before `end`; a bound at or after the last order read needs no test.
  const end = new Date(Math.max(asOf.getTime(), ...windows.map((w) => w.to.getTime())));
  // Usually nothing was ordered in [asOf, end) (asOf is "now" and the period ends tomorrow):
  // then bounds from asOf on need no test either. One descent of the range index tells.
  const later =
    asOf < end
      ? await query<{ one: unknown }>(
          db,
          `SELECT 1 AS "one" FROM "Order" o WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND ${p} >= ? AND ${p} < ? LIMIT 1`,
          [shop, asOf, end],
        )
      : [];
  const through = later.length ? end : asOf;
  const latest = (at: Date) =>
    at >= through ? `c."last"` : column(latestBefore, "l", at, `MAX(CASE WHEN ${p} < ? THEN ${p} END)`);
  const count = (at: Date) =>
    at >= through ? `c."orders"` : column(countBefore, "n", at, `SUM(CASE WHEN ${p} < ? THEN 1 ELSE 0 END)`);
  const revenue = (at: Date) => {
    if (at >= through) return `SUM(o."subtotalCents" - o."refundedSubtotalCents") AS "revenue"`;
    innerParams.push(at);
    return `SUM(CASE WHEN ${p} < ? THEN o."subtotalCents" - o."refundedSubtotalCents" ELSE 0 END) AS "revenue"`;
  };
  // One bit per distinct test: windows share many (the period and its year end together; the
  // previous period ends where this one starts), and "new" is "before the end, not before the start".
  const bits: string[] = [];
  const bitParams: unknown[] = [];
  const bitOf = new Map<string, number>();
  const bit = (condition: string, params: Date[]): number => {
    const key = `${condition}|${params.map((d) => d.getTime()).join(",")}`;
    let position = bitOf.get(key);
    if (position === undefined) {
      position = bitOf.size;
      bitOf.set(key, position);
      bits.push(`(CASE WHEN ${condition} THEN ${2 ** position} ELSE 0 END)`);
      bitParams.push(...params);
    }
    return position;
  };
  const orders = count(asOf);
  const last = latest(asOf);
  inner.push(revenue(asOf));
  if (months) {
    // "k:revenue" for each order in the months, '|'-separated (NULLs are skipped by both aggregates).
    const monthParams: unknown[] = [months[0], months[months.length - 1]];
    const k = bucketExpression(p, months, monthParams);
    const rev = `(o."subtotalCents" - o."refundedSubtotalCents")`;
    const entry = dialect === "postgres" ? `concat(${k}, ':', ${rev})` : `(${k} || ':' || ${rev})`;
    const list = `CASE WHEN ${p} >= ? AND ${p} < ? THEN ${entry} END`;
    inner.push(`${dialect === "postgres" ? "string_agg" : "group_concat"}(${list}, '|') AS "m"`);
    innerParams.push(...monthParams);
  }
  const layout = windows.map((w) => ({
    start: bit(`${latest(w.from)} >= ?`, [w.fromWindowStart]),
    end: bit(`${latest(w.to)} >= ?`, [w.toWindowStart]),
    ordered: bit(`${latest(w.to)} >= ?`, [w.from]),
    repeatBeforeTo: bit(`${count(w.to)} >= 2`, []),
    everBeforeTo: bit(`c."first" < ?`, [w.to]),
    firstBeforeFrom: bit(`c."first" < ?`, [w.from]),
  }));
  if (bitOf.size > 31) throw new Error("customerScan: too many windows");
  const fields = [
    `c."id"`,
    orders,
    epochMs(dialect, `c."first"`),
    `COALESCE(${epochMs(dialect, last)}, -1)`,
    `c."revenue"`,
    `(${bits.join(" + ")})`,
    months ? `COALESCE(c."m", '')` : `''`,
  ];
  const packed = packedRows(dialect, fields);
  // Parameters in text order: the outer select (bits), then the inner select, then WHERE.
  const [row] = await query<{ data: string | null; customers: unknown }>(
    db,
    `SELECT ${packed} AS "data", COUNT(*) AS "customers"
     FROM (
       SELECT o."customerId" AS "id", MIN(${p}) AS "first", MAX(${p}) AS "last", COUNT(*) AS "orders", ${inner.join(", ")}
       FROM "Order" o
       WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND ${p} < ?
       GROUP BY o."customerId"
     ) c`,
    [...bitParams, ...innerParams, shop, end],
  );
  const n = toNumber(row?.customers);
  const scan: CustomerScan = {
    ids: new Int32Array(n),
    orders: new Int32Array(n),
    revenueCents: new Float64Array(n),
    first: new Float64Array(n),
    last: new Float64Array(n),
    flags: new Int32Array(n),
    counts: [],
  };
  const values = n ? String(row!.data).split(",") : [];
  if (values.length !== n * 7) throw new Error(`customerScan: expected ${n * 7} values, got ${values.length}`);
  const count12 = months ? months.length - 1 : 0;
  const activity: MonthActivity | undefined = months && {
    customers: new Array(count12).fill(0),
    customerOrders: new Array(count12).fill(0),
    cohortCustomers: Array.from({ length: count12 }, () => new Array(count12).fill(0)),
    cohortRevenueCents: Array.from({ length: count12 }, () => new Array(count12).fill(0)),
  };
  const seen = new Int32Array(count12);
  for (let r = 0, k = 0; r < n; r++, k += 7) {
    if (activity && values[k + 6]) {
      // Cohort: the month of the first order, when it is inside the months.
      const cohort = bucketOf(Number(values[k + 2]), months!);
      const inCohort = cohort >= 0 && cohort < count12;
      for (const item of values[k + 6].split("|")) {
        const colon = item.indexOf(":");
        const month = Number(item.slice(0, colon));
        activity.customerOrders[month]++;
        if (seen[month] !== r + 1) {
          seen[month] = r + 1;
          activity.customers[month]++;
          if (inCohort) activity.cohortCustomers[cohort][month]++;
        }
        if (inCohort) activity.cohortRevenueCents[cohort][month] += Number(item.slice(colon + 1));
      }
    }
    scan.ids[r] = Number(values[k]);
    scan.orders[r] = Number(values[k + 1]);
    scan.first[r] = Number(values[k + 2]) / 1000;
    const lastMs = Number(values[k + 3]);
    scan.last[r] = lastMs < 0 ? NaN : lastMs / 1000;
    scan.revenueCents[r] = Number(values[k + 4]);
    scan.flags[r] = Number(values[k + 5]);
  }
  scan.months = activity;
  sortById(scan);
  const tallies = windows.map(() => new Array<number>(9).fill(0));
  for (let r = 0; r < n; r++) {
    const f = scan.flags[r];
    for (let i = 0; i < windows.length; i++) {
      const l = layout[i];
      const t = tallies[i];
      const start = (f >>> l.start) & 1,
        atEnd = (f >>> l.end) & 1,
        ordered = (f >>> l.ordered) & 1;
      const repeat = (f >>> l.repeatBeforeTo) & 1,
        ever = (f >>> l.everBeforeTo) & 1,
        before = (f >>> l.firstBeforeFrom) & 1;
      t[0] += start;
      t[1] += atEnd;
      t[2] += ever & (before ^ 1); // new: first order in [from, to)
      t[3] += start & atEnd;
      t[4] += (start ^ 1) & ordered & before; // reactivated
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
  return scan;
}

/** Customers in ascending id order (the fit's every-k-th sample must not depend on the database's grouping order). */
function sortById(scan: CustomerScan) {
  let sorted = true;
  for (let r = 1; r < scan.ids.length && sorted; r++) sorted = scan.ids[r - 1] < scan.ids[r];
  if (sorted) return;
  const order = Array.from(scan.ids.keys()).sort((a, b) => scan.ids[a] - scan.ids[b]);
  for (const key of ["ids", "orders", "revenueCents", "first", "last", "flags"] as const) {
    const source = scan[key];
    const copy = source.slice();
    for (let r = 0; r < order.length; r++) copy[r] = source[order[r]];
    (scan as unknown as Record<string, typeof source>)[key] = copy;
  }
}

/**
 * Every grouped row's `fields` as one comma-separated text: the per-customer scans read one value
 * instead of a row per customer, which the drivers otherwise turn into an object each.
 */
export function packedRows(dialect: "sqlite" | "postgres", fields: string[]): string {
  return dialect === "postgres"
    ? `string_agg(concat_ws(',', ${fields.join(", ")}), ',')`
    : `group_concat(${fields.join(` || ',' || `)}, ',')`;
}
