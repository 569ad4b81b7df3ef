// The KPI formulas of docs/kpis.md over counts, kept pure so the textbook examples test them directly.
// A rate or average whose denominator is zero is undefined: null, never 0 ("0% churn" in a shop's
// first quarter would claim that nobody left, when nobody could have).
import type { CustomerCounts, OrderTotals } from "./kpis.server";

/** numerator / denominator, or null when the denominator is 0. */
export const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;
/** `f(value)`, or null for null. */
export const ifDefined = <T>(value: number | null, f: (value: number) => T): T | null => (value === null ? null : f(value));
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/** CRR = (E − N − reactivated) / S; null when S = 0. Clamped to [0, 1] (it can leave it only when the period is longer than the activity window). */
export function retentionRate(
  c: Pick<CustomerCounts, "customersAtStart" | "customersAtEnd" | "newCustomers" | "reactivatedCustomers">,
): number | null {
  return ifDefined(ratio(c.customersAtEnd - c.newCustomers - c.reactivatedCustomers, c.customersAtStart), clamp01);
}

/** 1 − CRR; null when no one was active at the start (nobody could churn). */
export function churnRate(c: Parameters<typeof retentionRate>[0]): number | null {
  return ifDefined(retentionRate(c), (crr) => 1 - crr);
}

/** Each null when its denominator is 0. */
export interface PeriodRates {
  retentionRate: number | null;
  churnRate: number | null;
  repeatPurchaseRate: number | null;
  returningCustomerRate: number | null;
  averageOrderValueCents: number | null;
  purchaseFrequency: number | null;
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
  const churn = churnRate(annual);
  if (churn === null) return { years: 1, basis: "assumed" };
  if (churn <= 1 / MAX_LIFESPAN_YEARS) return { years: MAX_LIFESPAN_YEARS, basis: "capped" };
  return { years: 1 / churn, basis: "1 / annual churn" };
}
