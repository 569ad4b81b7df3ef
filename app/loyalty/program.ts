// A shop's program settings in the shape the rules use.
import { z } from "zod";

export const tierSchema = z.object({
  name: z.string().min(1),
  minSpendCents: z.number().int().nonnegative(), // rolling 12-month spend to reach the tier
  multiplier: z.number().positive(),
});
export type Tier = z.infer<typeof tierSchema>;

export type Program = {
  pointsPerUnit: number;
  signupBonusEnabled: boolean;
  signupBonusPoints: number;
  tiersEnabled: boolean;
  tiers: Tier[];
  allowNegativeBalance: boolean;
  activeWindowDays: number;
};

export const DEFAULT_PROGRAM: Program = {
  pointsPerUnit: 1,
  signupBonusEnabled: false,
  signupBonusPoints: 100,
  tiersEnabled: false,
  tiers: [],
  allowNegativeBalance: false,
  activeWindowDays: 365,
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
