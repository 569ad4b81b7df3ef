// Program metrics for a period: where the points went (from the ledger), what the points still
// owed are worth, and how members buy compared with everyone else.
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { pointsSummary } from "../loyalty/program-summary.server";
import { ifDefined, ratio } from "./formulas";
import type { OrderTotals, Window } from "./kpis.server";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

export interface ProgramMetrics {
  /** Points given in the period: order earnings, bonuses, upward adjustments. */
  pointsIssued: number;
  /** Points spent on rewards in the period, net of points returned when a code failed. */
  pointsRedeemed: number;
  pointsExpired: number;
  /** Points taken back by refunds and cancellations in the period. */
  pointsClawedBack: number;
  /** Points customers held at the end of the period (ledger sum before `to`). */
  pointsOutstanding: number;
  /** What the outstanding points are worth as discounts, in shop currency (see `liabilityBasis`). */
  liability: number;
  /**
   * "rewards": valued at the most generous active amount-off reward (money off per point), the
   * most the shop could owe if every point were redeemed. "earn-rate": no amount-off reward yet,
   * so a point is valued at what was spent to earn it, 1 / pointsPerUnit (an upper bound).
   */
  liabilityBasis: "rewards" | "earn-rate";
  /** Points redeemed / points issued in the period (null when none issued). */
  redemptionRate: number | null;
  /** Members who redeemed in the period / members enrolled before the period ends (null without members). */
  redeemerRate: number | null;
  members: number;
  redeemers: number;
  memberOrders: number;
  memberRevenue: number;
  /** Null without member orders (and customers), like the non-member figures. */
  memberAverageOrderValue: number | null;
  memberPurchaseFrequency: number | null;
  nonMemberOrders: number;
  nonMemberRevenue: number;
  nonMemberAverageOrderValue: number | null;
  nonMemberPurchaseFrequency: number | null;
}

/** Cents to currency units, rounded to 2 decimals. */
export const money = (cents: number) => Math.round(cents) / 100;
export const money2 = (units: number) => Math.round(units * 100) / 100;

export async function programMetrics(
  db: Executor,
  shop: string,
  windows: Window[],
  ordersOrPromise: OrderTotals[] | Promise<OrderTotals[]>,
): Promise<ProgramMetrics[]> {
  const settings = await query<{ pointsPerUnit: number }>(db, `SELECT "pointsPerUnit" FROM "ProgramSettings" WHERE "shop" = ?`, [
    shop,
  ]);
  const pointsPerUnit = settings[0]?.pointsPerUnit ?? 1;
  const rewards = await query<{ rate: unknown }>(
    db,
    `SELECT MAX(CAST("valueCents" AS DOUBLE PRECISION) / "pointsCost") AS "rate" FROM "Reward"
     WHERE "shop" = ? AND "active" AND "kind" = 'amount_off' AND "pointsCost" > 0 AND "valueCents" > 0`,
    [shop],
  );
  const centsPerPoint = rewards[0]?.rate == null ? null : toNumber(rewards[0].rate);

  // Points outstanding and members at each window's end: one pass over the shop's ledger and one
  // over its customers for all windows (the ledger sum has no index to use).
  const ends = windows.map((w) => w.to);
  const totalsQuery = Promise.all([
    query<Record<string, unknown>>(
      db,
      `SELECT ${ends.map((_, i) => `SUM(CASE WHEN "createdAt" < ? THEN "delta" ELSE 0 END) AS "outstanding${i}"`).join(", ")}
       FROM "LedgerEntry" WHERE "shop" = ?`,
      [...ends, shop],
    ),
    query<Record<string, unknown>>(
      db,
      `SELECT ${ends.map((_, i) => `SUM(CASE WHEN "enrolledAt" < ? THEN 1 ELSE 0 END) AS "members${i}"`).join(", ")}
       FROM "Customer" WHERE "shop" = ? AND "enrolledAt" IS NOT NULL`,
      [...ends, shop],
    ),
  ]).then(([[ledger], [customers]]) => ({ ...ledger, ...customers }));
  return Promise.all(
    windows.map(async (w, i) => {
      const [byKind, [redeemerRow], all] = await Promise.all([
        query<{ kind: string; credit: unknown; debit: unknown }>(
          db,
          `SELECT "kind", SUM(CASE WHEN "delta" > 0 THEN "delta" ELSE 0 END) AS "credit",
                  SUM(CASE WHEN "delta" < 0 THEN "delta" ELSE 0 END) AS "debit"
           FROM "LedgerEntry" WHERE "shop" = ? AND "createdAt" >= ? AND "createdAt" < ?
           GROUP BY "kind"`,
          [shop, w.from, w.to],
        ),
        query<{ redeemers: unknown }>(
          db,
          `SELECT COUNT(DISTINCT "customerId") AS "redeemers" FROM "LedgerEntry"
           WHERE "shop" = ? AND "kind" = 'redeem' AND "delta" < 0 AND "createdAt" >= ? AND "createdAt" < ?`,
          [shop, w.from, w.to],
        ),
        totalsQuery,
      ]);
      const totals = { outstanding: all?.[`outstanding${i}`], members: all?.[`members${i}`], redeemers: redeemerRow?.redeemers };
      const orders = await ordersOrPromise;
      const credits = new Map(byKind.map((r) => [r.kind, toNumber(r.credit)]));
      const debits = new Map(byKind.map((r) => [r.kind, toNumber(r.debit)]));
      const points = pointsSummary(credits, debits);
      const outstanding = toNumber(totals?.outstanding);
      const members = toNumber(totals?.members);
      const redeemers = toNumber(totals?.redeemers);
      const o = orders[i];
      const liability =
        centsPerPoint !== null ? money(outstanding * centsPerPoint) : money2(pointsPerUnit > 0 ? outstanding / pointsPerUnit : 0);
      return {
        pointsIssued: points.issued,
        pointsRedeemed: points.redeemed,
        pointsExpired: points.expired,
        pointsClawedBack: points.clawedBack,
        pointsOutstanding: outstanding,
        liability,
        liabilityBasis: centsPerPoint !== null ? "rewards" : "earn-rate",
        redemptionRate: ifDefined(ratio(points.redeemed, points.issued), (r) => Math.min(1, r)),
        redeemerRate: ifDefined(ratio(redeemers, members), (r) => Math.min(1, r)),
        members,
        redeemers,
        memberOrders: o.memberOrders,
        memberRevenue: money(o.memberRevenueCents),
        memberAverageOrderValue: ifDefined(ratio(o.memberRevenueCents, o.memberOrders), money),
        memberPurchaseFrequency: ratio(o.memberOrders, o.memberCustomers),
        nonMemberOrders: o.nonMemberOrders,
        nonMemberRevenue: money(o.nonMemberRevenueCents),
        nonMemberAverageOrderValue: ifDefined(ratio(o.nonMemberRevenueCents, o.nonMemberOrders), money),
        nonMemberPurchaseFrequency: ratio(o.nonMemberCustomerOrders, o.nonMemberCustomers),
      } satisfies ProgramMetrics;
    }),
  );
}
