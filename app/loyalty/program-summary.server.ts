// The program at a glance for one shop: members, orders tracked and where the points went.
// Every figure is an aggregate over the shop's rows (no per-row work in JavaScript), so it
// stays cheap at a million orders. Sums are of integer points: exact.
import { db as defaultDb, type Db } from "../db.server";

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

export interface ProgramSummary {
  /** Customers enrolled in the program. */
  members: number;
  /** Non-test orders Regulars has recorded (paid, cancelled or refunded). */
  ordersTracked: number;
  points: PointsSummary;
  /** Share of issued points redeemed, 0..1 (0 when nothing was issued). */
  redemptionRate: number;
}

type SumsByKind = Map<string, number>;

function sumsByKind(rows: Array<{ kind: string; _sum: { delta: number | null } }>): SumsByKind {
  return new Map(rows.map((row) => [row.kind, row._sum.delta ?? 0]));
}

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

export async function programSummary(shop: string, db: Db = defaultDb): Promise<ProgramSummary> {
  const [members, ordersTracked, credits, debits] = await Promise.all([
    db.customer.count({ where: { shop, enrolledAt: { not: null } } }),
    db.order.count({ where: { shop, test: false } }),
    db.ledgerEntry.groupBy({ by: ["kind"], where: { shop, delta: { gt: 0 } }, _sum: { delta: true } }),
    db.ledgerEntry.groupBy({ by: ["kind"], where: { shop, delta: { lt: 0 } }, _sum: { delta: true } }),
  ]);
  const points = pointsSummary(sumsByKind(credits), sumsByKind(debits));
  return {
    members,
    ordersTracked,
    points,
    redemptionRate: points.issued > 0 ? points.redeemed / points.issued : 0,
  };
}

/** A brand-new shop: nothing recorded yet, so the dashboard explains instead of showing zeros. */
export function isEmptyProgram(summary: ProgramSummary): boolean {
  return summary.members === 0 && summary.ordersTracked === 0 && summary.points.issued === 0;
}
