/**
 * The models' inputs built the way Fader, Hardie & Lee build them from raw purchases (CDNOW,
 * 2005): everything a customer bought on one calendar day is one transaction; time runs in weeks
 * from the day of the first purchase; x counts the repeat transactions (days after the first);
 * the spend of a customer is the mean of those repeat transactions, never the first.
 *
 * Orders are several per transaction more often than one would think (a second order minutes
 * after the first for a forgotten item): counted as orders, they read as very frequent buyers who
 * then stop, which is exactly the pattern BG/NBD turns into a high dropout rate.
 */
import type { CustomerSummary } from "./index";

/** Days are numbered consecutively (local calendar days in the shop's time zone). */
export interface CustomerDays {
  /** Distinct days with at least one purchase. */
  days: number;
  firstDay: number;
  /** Last day with a purchase. */
  lastDay: number;
  /** Money spent on all those days, and on the first day alone (any unit, e.g. cents). */
  spend: number;
  firstDaySpend: number;
}

/**
 * The summary (x, t_x, T, zbar) of a customer observed through `lastObservedDay` (the last local
 * day of the calibration period, included). `spendUnit` divides the spend (100 for cents).
 */
export function summarize(customer: CustomerDays, lastObservedDay: number, spendUnit = 1): CustomerSummary {
  const x = customer.days - 1;
  return {
    x,
    t_x: x > 0 ? (customer.lastDay - customer.firstDay) / 7 : 0,
    T: Math.max(0, lastObservedDay - customer.firstDay) / 7,
    zbar: x > 0 ? Math.max(0, (customer.spend - customer.firstDaySpend) / x / spendUnit) : 0,
  };
}

/** Groups one customer's purchases, given as (day, spend) in any order, into transactions. */
export function customerDays(purchases: Iterable<{ day: number; spend: number }>): CustomerDays | null {
  const byDay = new Map<number, number>();
  for (const { day, spend } of purchases) byDay.set(day, (byDay.get(day) ?? 0) + spend);
  if (byDay.size === 0) return null;
  const days = [...byDay.keys()];
  const firstDay = Math.min(...days);
  let spend = 0;
  for (const value of byDay.values()) spend += value;
  return { days: byDay.size, firstDay, lastDay: Math.max(...days), spend, firstDaySpend: byDay.get(firstDay)! };
}
