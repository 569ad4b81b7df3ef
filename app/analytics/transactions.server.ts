// Per customer, the purchase days the CLV models are fitted on (clv/transactions.ts): counted
// orders before `asOf` grouped by customer and local calendar day in the shop's time zone —
// distinct days, first and last day, spend, and the first day's spend — from the order history
// the report reads once (order-history.server.ts).
import type { Db } from "../db.server";
import type { CustomerDays } from "./clv/transactions";
import { customerDays } from "./clv/transactions";
import { localDayOf, zoneOffsets } from "./local-days";
import { orderHistory, type OrderHistory } from "./order-history.server";
import { localDayNumber } from "./time";

/** Customers in ascending id order; days are local day numbers (`localDayNumber`). */
export interface CustomerTransactions {
  ids: Int32Array;
  days: Int32Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  spendCents: Float64Array;
  firstDaySpendCents: Float64Array;
  /** The last local day the history covers: the day of the last instant before `asOf`. */
  lastObservedDay: number;
  /** The shop's time zone the days are in. */
  zone: string;
}

export async function customerTransactions(
  db: Db,
  dialect: "sqlite" | "postgres",
  shop: string,
  zone: string,
  asOf: Date,
): Promise<CustomerTransactions> {
  return transactionsOf(await orderHistory(db, dialect, shop, asOf), zone, asOf);
}

/** The purchase days of every customer with a counted order before `asOf` in `history` (read at least to `asOf`). */
export function transactionsOf(history: OrderHistory, zone: string, asOf: Date): CustomerTransactions {
  const { at, revenueCents, start } = history;
  const asOfMs = asOf.getTime();
  const n = history.ids.length;
  // The zone's offsets over the span of the orders, found once (Intl per order would be slow).
  let earliest = asOfMs;
  for (let i = 0; i < n; i++) earliest = Math.min(earliest, at[start[i]]);
  const offsets = zoneOffsets(zone, earliest, asOfMs);
  const result: CustomerTransactions = {
    ids: new Int32Array(n),
    days: new Int32Array(n),
    firstDay: new Int32Array(n),
    lastDay: new Int32Array(n),
    spendCents: new Float64Array(n),
    firstDaySpendCents: new Float64Array(n),
    lastObservedDay: localDayNumber(new Date(asOfMs - 1), zone),
    zone,
  };
  let c = 0;
  for (let i = 0; i < n; i++) {
    const lo = start[i];
    let hi = lo;
    while (hi < start[i + 1] && at[hi] < asOfMs) hi++;
    if (hi === lo) continue;
    const grouped = inTimeOrder(at, revenueCents, lo, hi, offsets);
    result.ids[c] = history.ids[i];
    result.days[c] = grouped.days;
    result.firstDay[c] = grouped.firstDay;
    result.lastDay[c] = grouped.lastDay;
    result.spendCents[c] = grouped.spend;
    result.firstDaySpendCents[c] = grouped.firstDaySpend;
    c++;
  }
  for (const key of ["ids", "days", "firstDay", "lastDay", "spendCents", "firstDaySpendCents"] as const) {
    (result[key] as Int32Array | Float64Array) = result[key].subarray(0, c);
  }
  return result;
}

/**
 * Orders [lo, hi) in time order make their days in order too, so a day is a run of equal day
 * numbers — except where a zone turns its clocks back across midnight; then the general grouping.
 */
function inTimeOrder(
  at: Float64Array,
  revenueCents: Float64Array,
  lo: number,
  hi: number,
  offsets: ReturnType<typeof zoneOffsets>,
): CustomerDays {
  let days = 0;
  let previous = NaN;
  let firstDay = 0;
  let firstDaySpend = 0;
  let spend = 0;
  for (let k = lo; k < hi; k++) {
    const day = localDayOf(at[k], offsets);
    if (day < previous) {
      const purchases = [];
      for (let j = lo; j < hi; j++) purchases.push({ day: localDayOf(at[j], offsets), spend: revenueCents[j] });
      return customerDays(purchases)!;
    }
    if (day !== previous) {
      days++;
      if (days === 1) firstDay = day;
      previous = day;
    }
    if (days === 1) firstDaySpend += revenueCents[k];
    spend += revenueCents[k];
  }
  return { days, firstDay, lastDay: previous, spend, firstDaySpend };
}

/** Customer `i`'s days, for `summarize`. */
export function daysOf(t: CustomerTransactions, i: number): CustomerDays {
  return {
    days: t.days[i],
    firstDay: t.firstDay[i],
    lastDay: t.lastDay[i],
    spend: t.spendCents[i],
    firstDaySpend: t.firstDaySpendCents[i],
  };
}
