// The retention KPIs of DESIGN §4 for periods [from, to), aggregated in the database.
//
// One grouped scan over the shop's counted orders (one row per customer, then sums) yields every
// customer-level KPI for several periods at once (the period, the previous one, the trailing year
// the textbook CLV uses); one range scan yields orders and revenue (guests included).
//
// "Active at t" is read as: at least one order in [t − W, t) — the trailing window that closes
// just before t. The instant t itself belongs to the period that starts at t, so an order placed
// exactly at local midnight counts in that period and never also as activity before it. Then
// customersAtEnd = retained + new + reactivated exactly (when the period is no longer than W).
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";

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

/** Every customer-level count of DESIGN §4, for each window, in one scan of orders before the last `to`. */
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
      );
      params.push(w.from, w.to, w.from, w.to);
      return;
    }
    const member = `c."enrolledAt" IS NOT NULL AND c."enrolledAt" < ?`;
    columns.push(
      `SUM(CASE WHEN ${inPeriod} THEN 1 ELSE 0 END) AS "orders${i}"`,
      `SUM(CASE WHEN ${inPeriod} THEN ${revenue} ELSE 0 END) AS "revenue${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND ${member} THEN 1 ELSE 0 END) AS "memberOrders${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND ${member} THEN ${revenue} ELSE 0 END) AS "memberRevenue${i}"`,
      `COUNT(DISTINCT CASE WHEN ${inPeriod} AND ${member} THEN o."customerId" END) AS "memberCustomers${i}"`,
      `SUM(CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL AND NOT (${member}) THEN 1 ELSE 0 END) AS "nonMemberCustomerOrders${i}"`,
      `COUNT(DISTINCT CASE WHEN ${inPeriod} AND o."customerId" IS NOT NULL AND NOT (${member}) THEN o."customerId" END) AS "nonMemberCustomers${i}"`,
    );
    params.push(w.from, w.to, w.from, w.to, w.from, w.to, w.to, w.from, w.to, w.to, w.from, w.to, w.to);
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
