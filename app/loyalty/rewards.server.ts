// Rewards a shop offers, and the program settings redemption reads (code expiry, combinations).
import { db } from "../db.server";
import type { CombinesWith, RewardDiscount } from "../shopify/discounts.server";

export type RewardKind = "amount_off" | "percent_off" | "free_shipping";

export type RewardRow = {
  id: number;
  shop: string;
  name: string;
  kind: string;
  pointsCost: number;
  valueCents: number;
  percentOff: number;
  minimumSubtotalCents: number | null;
  active: boolean;
};

/** A reward as the storefront sees it: money in shop-currency units, percent as a number (10 = 10%). */
export type PublicReward = {
  id: string;
  name: string;
  kind: RewardKind;
  pointsCost: number;
  value: number;
  minimumSubtotal: number | null;
};

export async function activeRewards(shop: string): Promise<RewardRow[]> {
  return db.reward.findMany({ where: { shop, active: true, pointsCost: { gt: 0 } }, orderBy: [{ pointsCost: "asc" }, { id: "asc" }] });
}

export async function findActiveReward(shop: string, id: number): Promise<RewardRow | null> {
  return db.reward.findFirst({ where: { shop, id, active: true, pointsCost: { gt: 0 } } });
}

export function publicReward(r: RewardRow): PublicReward {
  const kind = r.kind as RewardKind;
  return {
    id: String(r.id),
    name: r.name,
    kind,
    pointsCost: r.pointsCost,
    value: kind === "amount_off" ? r.valueCents / 100 : kind === "percent_off" ? r.percentOff : 0,
    minimumSubtotal: r.minimumSubtotalCents != null && r.minimumSubtotalCents > 0 ? r.minimumSubtotalCents / 100 : null,
  };
}

export function rewardDiscount(r: RewardRow): RewardDiscount {
  const minimumSubtotalCents = r.minimumSubtotalCents ?? null;
  switch (r.kind) {
    case "amount_off":
      return { kind: "amount_off", valueCents: r.valueCents, minimumSubtotalCents };
    case "percent_off":
      return { kind: "percent_off", percentOff: r.percentOff, minimumSubtotalCents };
    case "free_shipping":
      return { kind: "free_shipping", minimumSubtotalCents };
    default:
      throw new Error(`reward ${r.id} has an unknown kind ${r.kind}`);
  }
}

export type RedemptionSettings = { codeExpiryDays: number; restorePointsOnExpiry: boolean; combinesWith: CombinesWith };

export async function redemptionSettings(shop: string): Promise<RedemptionSettings> {
  const row = await db.programSettings.findUnique({ where: { shop } });
  return {
    codeExpiryDays: row?.codeExpiryDays ?? 30,
    restorePointsOnExpiry: row?.restorePointsOnExpiry ?? false,
    combinesWith: {
      orderDiscounts: row?.combinesWithOrder ?? false,
      productDiscounts: row?.combinesWithProduct ?? true,
      shippingDiscounts: row?.combinesWithShipping ?? true,
    },
  };
}
