// Monthly series and first-order-month cohorts over local calendar months, from the month
// activity the per-customer scan collects (kpis.server.ts) and the customers' first orders.
import { bucketOf } from "./buckets";
import type { CustomerValues } from "./customer-value.server";
import type { MonthActivity } from "./kpis.server";
import { ifDefined, ratio } from "./formulas";

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

/** Customers whose first-ever order falls in each month: the month's new customers, and its cohort's size. */
function firstOrdersByMonth(values: CustomerValues, boundaries: Date[]): number[] {
  const count = boundaries.length - 1;
  const byMonth = new Array<number>(count).fill(0);
  for (let i = 0; i < values.firstOrder.length; i++) {
    const k = bucketOf(values.firstOrder[i] * 1000, boundaries);
    if (k >= 0 && k < count) byMonth[k]++;
  }
  return byMonth;
}

/** Each month's orders, revenue, customers and new and returning customers, from the scan's month activity. */
export function monthlySeries(months: Months, values: CustomerValues, activity: MonthActivity): MonthPoint[] {
  const { boundaries } = months;
  const count = boundaries.length - 1;
  const newByMonth = firstOrdersByMonth(values, boundaries);
  return Array.from({ length: count }, (_, k) => {
    const orders = activity.orders[k];
    const revenueCents = activity.revenueCents[k];
    const customers = activity.customers[k];
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
      purchaseFrequency: ratio(activity.customerOrders[k], customers),
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
export function cohortMatrix(months: Months, values: CustomerValues, activity: MonthActivity): Cohort[] {
  const { boundaries } = months;
  const count = boundaries.length - 1;
  // Cohort sizes: every member of a cohort orders in its month 0.
  const sizes = firstOrdersByMonth(values, boundaries);
  return Array.from({ length: count }, (_, c) => {
    const size = sizes[c];
    const retention: (number | null)[] = [];
    const cumulativeRevenuePerCustomer: (number | null)[] = [];
    let cumulative = 0;
    for (let m = c; m < count; m++) {
      cumulative += activity.cohortRevenueCents[c][m];
      retention.push(ratio(m === c ? size : activity.cohortCustomers[c][m], size));
      cumulativeRevenuePerCustomer.push(ifDefined(ratio(cumulative, size), (cents) => Math.round(cents) / 100));
    }
    return { month: months.days[c], customers: size, retention, cumulativeRevenuePerCustomer };
  });
}
