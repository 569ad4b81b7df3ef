// The KPI formulas of docs/kpis.md over counts, kept pure so the textbook examples test them directly.
import type { CustomerCounts, OrderTotals } from "./kpis.server";

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : 0);
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/** CRR = (E − N − reactivated) / S; 0 when S = 0. Clamped to [0, 1] (it can leave it only when the period is longer than the activity window). */
export function retentionRate(
  c: Pick<CustomerCounts, "customersAtStart" | "customersAtEnd" | "newCustomers" | "reactivatedCustomers">,
): number {
  return clamp01(ratio(c.customersAtEnd - c.newCustomers - c.reactivatedCustomers, c.customersAtStart));
}

/** 1 − CRR; 0 when no one was active at the start (nobody could churn). */
export function churnRate(c: Parameters<typeof retentionRate>[0]): number {
  return c.customersAtStart > 0 ? 1 - retentionRate(c) : 0;
}

export interface PeriodRates {
  retentionRate: number;
  churnRate: number;
  repeatPurchaseRate: number;
  returningCustomerRate: number;
  averageOrderValueCents: number;
  purchaseFrequency: number;
}

export function periodRates(c: CustomerCounts, o: Pick<OrderTotals, "orders" | "revenueCents">): PeriodRates {
  return {
    retentionRate: retentionRate(c),
    churnRate: churnRate(c),
    repeatPurchaseRate: ratio(c.repeatCustomersEver, c.customersEver),
    returningCustomerRate: ratio(c.returningCustomersOrdering, c.customersOrdering),
    averageOrderValueCents: ratio(o.revenueCents, o.orders),
    purchaseFrequency: ratio(c.customerOrders, c.customersOrdering),
  };
}

/** Longest lifespan the textbook CLV assumes (churn near zero would make it infinite). */
export const MAX_LIFESPAN_YEARS = 10;

/**
 * Average customer lifespan in years, 1 / annual churn, for the textbook CLV. With no customers
 * active a year earlier there is no annual churn yet: one year is assumed (and said so).
 */
export function averageLifespanYears(annual: Parameters<typeof retentionRate>[0]): {
  years: number;
  basis: "1 / annual churn" | "capped" | "assumed";
} {
  if (annual.customersAtStart === 0) return { years: 1, basis: "assumed" };
  const churn = churnRate(annual);
  if (churn <= 1 / MAX_LIFESPAN_YEARS) return { years: MAX_LIFESPAN_YEARS, basis: "capped" };
  return { years: 1 / churn, basis: "1 / annual churn" };
}
