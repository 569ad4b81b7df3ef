// The owner's program settings, validated and saved per shop (rewards: rewards.server.ts).
// Plain TypeScript (no Remix): the Program page's action and the tests call these directly.
// Saving settings writes only ProgramSettings; the ledger is never touched — new rules apply to
// what happens next (the next order, the next refund), never retroactively.
import { z } from "zod";
import { db } from "../db.server";
import { fieldErrors, flag, InvalidInput, MAX_CENTS, number, whole, type FieldErrors } from "./form-input";
import type { Program, Tier } from "./program";
import { programFromRow } from "./program.server";

/** What the onboarding proposes when the owner turns a feature on (points scale with pointsPerUnit). */
export function suggestedValues(pointsPerUnit: number) {
  const points = (n: number) => Math.max(1, Math.round(n * pointsPerUnit));
  return {
    signupBonusPoints: points(100),
    birthdayBonusPoints: points(100),
    firstOrderBonusPoints: points(100),
    nthOrderBonusEvery: 5,
    nthOrderBonusPoints: points(100),
    referralBonusPoints: points(200),
    referralWelcomePoints: points(100),
    expiryMonths: 12,
    tiers: [
      { name: "Bronze", minSpendCents: 0, multiplier: 1, entryRewardPoints: 0, perks: "" },
      { name: "Silver", minSpendCents: 30_000, multiplier: 1.25, entryRewardPoints: points(100), perks: "" },
      { name: "Gold", minSpendCents: 100_000, multiplier: 1.5, entryRewardPoints: points(250), perks: "" },
    ] satisfies Tier[],
  };
}

const tierInput = z.object({
  name: z
    .string({ required_error: "Name the tier", invalid_type_error: "Name the tier" })
    .trim()
    .min(1, "Name the tier")
    .max(40, "Keep the name under 40 characters"),
  minSpendCents: whole(0, MAX_CENTS, "an amount"),
  multiplier: number("a multiplier").pipe(
    z.number().min(1, "The multiplier must be at least 1").max(10, "The multiplier can be at most 10"),
  ),
  entryRewardPoints: whole(0, 1_000_000, "points")
    .optional()
    .transform((v) => v ?? 0),
  perks: z
    .string({ invalid_type_error: "Describe the perks in words" })
    .trim()
    .max(200, "Keep the perks under 200 characters")
    .optional()
    .transform((v) => v ?? ""),
});

/** Field by field; the checks across tiers are in `tierIssues` so that every mistake shows at once. */
export const settingsSchema = z.object({
  pointsPerUnit: number("points per unit").pipe(
    z
      .number()
      .gt(0, "Points per unit must be more than 0")
      .max(1000, "Points per unit can be at most 1,000")
      // Earning computes in thousandths (app/loyalty/earning.ts): more digits would be silently dropped.
      .refine((v) => Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6, "Use at most 3 decimal places"),
  ),
  signupBonusEnabled: flag,
  signupBonusPoints: whole(1, 1_000_000, "points"),
  birthdayBonusEnabled: flag,
  birthdayBonusPoints: whole(1, 1_000_000, "points"),
  firstOrderBonusEnabled: flag,
  firstOrderBonusPoints: whole(1, 1_000_000, "points"),
  nthOrderBonusEnabled: flag,
  nthOrderBonusEvery: whole(2, 1000, "a number of orders"),
  nthOrderBonusPoints: whole(1, 1_000_000, "points"),
  referralBonusEnabled: flag,
  referralBonusPoints: whole(1, 1_000_000, "points"),
  referralWelcomePoints: whole(0, 1_000_000, "points"),
  referralMonthlyCap: whole(1, 1000, "a number of referrals"),
  referralReturnWindowDays: whole(0, 365, "days"),
  tiersEnabled: flag,
  tiers: z.array(tierInput, { invalid_type_error: "Tiers must be a list" }).max(20, "At most 20 tiers").default([]),
  expiryEnabled: flag,
  expiryMonths: whole(1, 120, "months"),
  expiryReminderDays: whole(1, 90, "days"),
  allowNegativeBalance: flag,
  activeWindowDays: whole(30, 3650, "days"),
  codeExpiryDays: whole(1, 365, "days"),
  restorePointsOnExpiry: flag,
  combinesWithOrder: flag,
  combinesWithProduct: flag,
  combinesWithShipping: flag,
});

/**
 * Checks across tiers — unique names, a higher spend for each tier, no tier earning less than the
 * one below — on every row whose own fields are readable, even when other fields are wrong.
 * Errors point at the row the owner typed (submitted order); the tiers are stored sorted.
 */
function tierIssues(raw: unknown, enabledRaw: unknown): FieldErrors {
  const errors: FieldErrors = {};
  const rows: unknown[] = Array.isArray(raw) ? raw : [];
  const enabled = flag.safeParse(enabledRaw);
  if (enabled.success && enabled.data && Array.isArray(raw) && rows.length === 0)
    errors.tiers = "Add at least one tier, or turn tiers off";
  const field = <T>(schema: z.ZodType<T>, row: unknown, key: string): T | undefined => {
    const parsed = schema.safeParse(row && typeof row === "object" ? (row as Record<string, unknown>)[key] : undefined);
    return parsed.success ? parsed.data : undefined;
  };
  const tiers = rows.map((row, i) => ({
    i,
    name: field(tierInput.shape.name, row, "name"),
    spend: field(tierInput.shape.minSpendCents, row, "minSpendCents"),
    multiplier: field(tierInput.shape.multiplier, row, "multiplier"),
  }));
  const seen = new Set<string>();
  for (const t of tiers) {
    if (t.name === undefined) continue;
    const key = t.name.toLocaleLowerCase();
    if (seen.has(key)) errors[`tiers.${t.i}.name`] ??= `"${t.name}" is already a tier name`;
    seen.add(key);
  }
  const bySpend = tiers.filter((t) => t.spend !== undefined).sort((a, b) => a.spend! - b.spend! || a.i - b.i);
  for (let k = 1; k < bySpend.length; k++) {
    const below = bySpend[k - 1];
    const here = bySpend[k];
    const belowName = below.name ?? `tier ${below.i + 1}`;
    if (here.spend === below.spend) {
      errors[`tiers.${here.i}.minSpendCents`] ??= `Same spend as "${belowName}": each tier needs a higher spend`;
    } else if (here.multiplier !== undefined && below.multiplier !== undefined && here.multiplier < below.multiplier) {
      errors[`tiers.${here.i}.multiplier`] ??= `A higher tier can't earn less than "${belowName}" (×${below.multiplier})`;
    }
  }
  return errors;
}

export function parseSettings(input: unknown): Program {
  const parsed = settingsSchema.safeParse(input);
  const raw = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const errors = { ...tierIssues(raw.tiers, raw.tiersEnabled), ...(parsed.success ? {} : fieldErrors(parsed.error)) };
  if (!parsed.success || Object.keys(errors).length > 0) throw new InvalidInput(errors);
  return { ...parsed.data, tiers: [...parsed.data.tiers].sort((a, b) => a.minSpendCents - b.minSpendCents) };
}

/** Validates and stores the whole settings form; throws InvalidInput and stores nothing when any field is wrong. */
export async function saveSettings(shop: string, input: unknown): Promise<Program> {
  const settings = parseSettings(input);
  const data = { ...settings, tiers: JSON.stringify(settings.tiers) };
  const row = await db.programSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return programFromRow(row);
}

/**
 * Any subset of the settings (the JSON API's PATCH): merged onto what is stored, then validated
 * and saved like the whole form. A field the form does not have is an error, not silently dropped,
 * so a misspelt name cannot look saved. Throws InvalidInput and saves nothing on any error.
 */
export async function patchSettings(shop: string, current: Program, patch: unknown): Promise<Program> {
  if (!patch || typeof patch !== "object" || Array.isArray(patch))
    throw new InvalidInput({ form: "Send a JSON object of settings" });
  const known = new Set(Object.keys(settingsSchema.shape));
  const unknown = Object.keys(patch).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new InvalidInput(Object.fromEntries(unknown.map((key) => [key, "Not a program setting"])));
  return saveSettings(shop, { ...current, ...patch });
}
