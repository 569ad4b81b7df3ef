// Monthly series and first-order-month cohorts, grouped by local calendar month in SQL.
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { bucketExpression, bucketOf } from "./buckets";
import type { CustomerValues } from "./customer-value.server";
import { COUNTED, type MonthActivity } from "./kpis.server";
import { ifDefined, ratio } from "./formulas";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

export interface MonthPoint {
  /** First day of the month, YYYY-MM-DD (shop time zone). */
  month: string;
  orders: number;
  revenue: number;
  /** Null in a month without orders. */
  averageOrderValue: number | null;
  /** Distinct customers who ordered in the month. */
  customers: number;
  /** Customers whose first-ever order was in the month. */
  newCustomers: number;
  /** Customers who ordered in the month and had ordered before it. */
  returningCustomers: number;
  /** returningCustomers / customers (null in a month without customers, like the frequency). */
  returningShare: number | null;
  /** Orders with a customer / customers. */
  purchaseFrequency: number | null;
}

export interface Months {
  /** Month starts as days, and one more: the end of the last month. */
  days: string[];
  /** The same, as instants. */
  boundaries: Date[];
}

/**
 * `activity` (from the per-customer scan, or its promise) supplies the customers and customer
 * orders of each month; then SQL only counts orders and revenue (guests included) per month.
 */
export async function monthlySeries(
  db: Executor,
  shop: string,
  months: Months,
  valuesOrPromise: CustomerValues | Promise<CustomerValues>,
  activityOrPromise?: MonthActivity | Promise<MonthActivity | undefined>,
): Promise<MonthPoint[]> {
  const { boundaries } = months;
  const params: unknown[] = [];
  const bucket = bucketExpression(`o."processedAt"`, boundaries, params);
  const perCustomer = activityOrPromise
    ? ""
    : `, COUNT(DISTINCT o."customerId") AS "customers", SUM(CASE WHEN o."customerId" IS NOT NULL THEN 1 ELSE 0 END) AS "customerOrders"`;
  const rows = await query<{ k: unknown; orders: unknown; revenue: unknown; customers?: unknown; customerOrders?: unknown }>(
    db,
    `SELECT ${bucket} AS "k", COUNT(*) AS "orders", SUM(o."subtotalCents" - o."refundedSubtotalCents") AS "revenue"${perCustomer}
     FROM "Order" o
     WHERE ${COUNTED} AND o."processedAt" >= ? AND o."processedAt" < ?
     GROUP BY 1`,
    [...params, shop, boundaries[0], boundaries[boundaries.length - 1]],
  );
  const activity = await activityOrPromise;
  if (activity) {
    for (const row of rows) {
      const k = toNumber(row.k);
      row.customers = activity.customers[k] ?? 0;
      row.customerOrders = activity.customerOrders[k] ?? 0;
    }
  }
  const values = await valuesOrPromise;
  const count = boundaries.length - 1;
  // New customers per month from the per-customer first orders already loaded.
  const newByMonth = new Array(count).fill(0);
  for (let i = 0; i < values.firstOrder.length; i++) {
    const k = bucketOf(values.firstOrder[i] * 1000, boundaries);
    if (k >= 0 && k < count) newByMonth[k]++;
  }
  const byMonth = new Map(rows.map((r) => [toNumber(r.k), r]));
  return Array.from({ length: count }, (_, k) => {
    const row = byMonth.get(k);
    const orders = toNumber(row?.orders);
    const revenueCents = toNumber(row?.revenue);
    const customers = toNumber(row?.customers);
    const returningCustomers = Math.max(0, customers - newByMonth[k]);
    return {
      month: months.days[k],
      orders,
      revenue: Math.round(revenueCents) / 100,
      averageOrderValue: ifDefined(ratio(revenueCents, orders), (cents) => Math.round(cents) / 100),
      customers,
      newCustomers: newByMonth[k],
      returningCustomers,
      returningShare: ratio(returningCustomers, customers),
      purchaseFrequency: ratio(toNumber(row?.customerOrders), customers),
    };
  });
}

export interface Cohort {
  /** First-order month, YYYY-MM-DD. */
  month: string;
  customers: number;
  /** retention[k]: share of the cohort ordering in month k after the first (k = 1…); [0] is 1. Null for an empty cohort. */
  retention: (number | null)[];
  /** cumulativeRevenue[k]: revenue per cohort customer from month 0 through month k. Null for an empty cohort. */
  cumulativeRevenuePerCustomer: (number | null)[];
}

/** Cohorts of customers by first-order month over `months`; cells only for months that have ended or started. */
export async function cohortMatrix(
  db: Executor,
  shop: string,
  months: Months,
  valuesOrPromise: CustomerValues | Promise<CustomerValues>,
  activityOrPromise?: MonthActivity | Promise<MonthActivity | undefined>,
): Promise<Cohort[]> {
  const { boundaries } = months;
  const count = boundaries.length - 1;
  const activity = await activityOrPromise;
  const rows = activity
    ? activity.cohortCustomers.flatMap((cells, cohort) =>
        cells.map((customers, k) => ({ cohort, k, customers, revenue: activity.cohortRevenueCents[cohort][k] })),
      )
    : await cohortCells(db, shop, boundaries);
  const values = await valuesOrPromise;
  // Cohort sizes from the per-customer first orders (every member orders in month 0).
  const sizes = new Array(count).fill(0);
  for (let i = 0; i < values.firstOrder.length; i++) {
    const k = bucketOf(values.firstOrder[i] * 1000, boundaries);
    if (k >= 0 && k < count) sizes[k]++;
  }
  const cells = new Map<string, { customers: number; revenueCents: number }>();
  for (const r of rows) {
    cells.set(`${toNumber(r.cohort)}:${toNumber(r.k)}`, { customers: toNumber(r.customers), revenueCents: toNumber(r.revenue) });
  }
  return Array.from({ length: count }, (_, c) => {
    const size = sizes[c];
    const retention: (number | null)[] = [];
    const cumulativeRevenuePerCustomer: (number | null)[] = [];
    let cumulative = 0;
    for (let m = c; m < count; m++) {
      const cell = cells.get(`${c}:${m}`);
      cumulative += cell?.revenueCents ?? 0;
      retention.push(ratio(m === c ? size : (cell?.customers ?? 0), size));
      cumulativeRevenuePerCustomer.push(ifDefined(ratio(cumulative, size), (cents) => Math.round(cents) / 100));
    }
    return { month: months.days[c], customers: size, retention, cumulativeRevenuePerCustomer };
  });
}

/** Cohort cells in SQL, for callers without the per-customer scan: (cohort, month) → customers, revenue. */
async function cohortCells(db: Executor, shop: string, boundaries: Date[]) {
  const count = boundaries.length - 1;
  const params: unknown[] = [];
  const orderMonth = bucketExpression(`o."processedAt"`, boundaries, params);
  const firstParams: unknown[] = [];
  const firstMonth = bucketExpression(`MIN(f."processedAt")`, boundaries, firstParams);
  return query<{ cohort: unknown; k: unknown; customers: unknown; revenue: unknown }>(
    db,
    `SELECT c."cohort" AS "cohort", ${orderMonth} AS "k", COUNT(DISTINCT o."customerId") AS "customers",
            SUM(o."subtotalCents" - o."refundedSubtotalCents") AS "revenue"
     FROM "Order" o
     JOIN (
       SELECT f."customerId", ${firstMonth} AS "cohort"
       FROM "Order" f
       WHERE f."shop" = ? AND NOT f."test" AND f."cancelledAt" IS NULL AND f."customerId" IS NOT NULL AND f."processedAt" < ?
       GROUP BY f."customerId"
       HAVING MIN(f."processedAt") >= ?
     ) c ON c."customerId" = o."customerId"
     WHERE ${COUNTED} AND o."processedAt" >= ? AND o."processedAt" < ?
     GROUP BY 1, 2`,
    [...params, ...firstParams, shop, boundaries[count], boundaries[0], shop, boundaries[0], boundaries[count]],
  );
}
