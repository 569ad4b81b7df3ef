// Where the points went: the ledger's signed sums by kind split into the figures owners read.
// The sums themselves are grouped SQL in app/analytics/program.server.ts (any period, any shop);
// this stays pure so its arithmetic is tested alone. Sums are of integer points: exact.

export interface PointsSummary {
  /** Points given: order earnings, bonuses, upward adjustments. */
  issued: number;
  /** Points spent on rewards, net of any returned when Shopify refused the discount. */
  redeemed: number;
  /** Points taken back by refunds and cancellations. */
  clawedBack: number;
  /** Points lost to inactivity. */
  expired: number;
  /** Points removed any other way (downward adjustments by the owner). */
  removedOther: number;
  /** Points customers hold now: issued − redeemed − clawedBack − expired − removedOther. */
  outstanding: number;
}

type SumsByKind = Map<string, number>;

const total = (sums: SumsByKind, kinds?: string[]) =>
  [...sums].reduce((sum, [kind, value]) => (!kinds || kinds.includes(kind) ? sum + value : sum), 0);

/** Splits the ledger's signed sums by kind into the figures owners read (pure, for tests). */
export function pointsSummary(credits: SumsByKind, debits: SumsByKind): PointsSummary {
  const returnedRedemptions = credits.get("redeem") ?? 0;
  const issued = total(credits) - returnedRedemptions;
  const redeemed = -(debits.get("redeem") ?? 0) - returnedRedemptions;
  const clawedBack = -total(debits, ["refund", "cancel"]);
  const expired = -(debits.get("expire") ?? 0);
  const removedOther = -total(debits) - redeemed - returnedRedemptions - clawedBack - expired;
  return { issued, redeemed, clawedBack, expired, removedOther, outstanding: total(credits) + total(debits) };
}
