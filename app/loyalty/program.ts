// A shop's program settings: one shape, one set of defaults, read by the rules (earning, tiers,
// bonuses, expiry, redemption), the Program page and its JSON API alike.
import { z } from "zod";
import type { CombinesWith } from "../shopify/discounts.server";

export const tierSchema = z.object({
  name: z.string().min(1),
  minSpendCents: z.number().int().nonnegative(), // rolling 12-month spend to reach the tier
  multiplier: z.number().positive(),
  entryRewardPoints: z.number().int().nonnegative().default(0), // paid once per qualification on entering
  perks: z.string().default(""), // what the tier gives besides points, in the owner's words
});
// The input shape: tiers written before entry rewards and perks existed read as 0 and "".
export type Tier = z.input<typeof tierSchema>;

export type Program = {
  pointsPerUnit: number;
  signupBonusEnabled: boolean;
  signupBonusPoints: number;
  birthdayBonusEnabled: boolean;
  birthdayBonusPoints: number;
  firstOrderBonusEnabled: boolean;
  firstOrderBonusPoints: number;
  nthOrderBonusEnabled: boolean;
  nthOrderBonusEvery: number;
  nthOrderBonusPoints: number;
  referralBonusEnabled: boolean;
  referralBonusPoints: number;
  /** The referee's welcome reward, in points, paid with their first paid order (0: none). */
  referralWelcomePoints: number;
  /** Rewarded referrals per advocate per calendar month (UTC); beyond it a referral is blocked. */
  referralMonthlyCap: number;
  /** A referral order refunded in full or cancelled within this many days takes both rewards back. */
  referralReturnWindowDays: number;
  tiersEnabled: boolean;
  tiers: Tier[];
  expiryEnabled: boolean;
  expiryMonths: number;
  expiryReminderDays: number;
  allowNegativeBalance: boolean;
  activeWindowDays: number;
  codeExpiryDays: number;
  restorePointsOnExpiry: boolean;
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
};

/** Out of the box (docs/loyalty-rules.md): 1 point per unit of currency; bonuses, tiers and expiry off. */
export const DEFAULT_PROGRAM: Program = {
  pointsPerUnit: 1,
  signupBonusEnabled: false,
  signupBonusPoints: 100,
  birthdayBonusEnabled: false,
  birthdayBonusPoints: 100,
  firstOrderBonusEnabled: false,
  firstOrderBonusPoints: 100,
  nthOrderBonusEnabled: false,
  nthOrderBonusEvery: 5,
  nthOrderBonusPoints: 100,
  referralBonusEnabled: false,
  referralBonusPoints: 200,
  referralWelcomePoints: 100,
  referralMonthlyCap: 10,
  referralReturnWindowDays: 30,
  tiersEnabled: false,
  tiers: [],
  expiryEnabled: false,
  expiryMonths: 12,
  expiryReminderDays: 14,
  allowNegativeBalance: false,
  activeWindowDays: 365,
  codeExpiryDays: 30,
  restorePointsOnExpiry: false,
  combinesWithOrder: false,
  combinesWithProduct: true,
  combinesWithShipping: true,
};

export function parseTiers(json: string): Tier[] {
  const tiers = z.array(tierSchema).parse(JSON.parse(json));
  return tiers.sort((a, b) => a.minSpendCents - b.minSpendCents);
}

/** The highest tier whose threshold the rolling spend reaches (none when tiers are off). */
export function tierForSpend(program: Program, spendCents: number): Tier | null {
  if (!program.tiersEnabled) return null;
  let reached: Tier | null = null;
  for (const tier of program.tiers) if (spendCents >= tier.minSpendCents) reached = tier;
  return reached;
}

/** What a reward code may be combined with, in the discount API's terms. */
export function combinesWith(program: Program): CombinesWith {
  return {
    orderDiscounts: program.combinesWithOrder,
    productDiscounts: program.combinesWithProduct,
    shippingDiscounts: program.combinesWithShipping,
  };
}
