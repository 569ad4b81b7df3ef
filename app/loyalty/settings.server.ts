// The owner's program setup: settings and rewards, validated and saved per shop.
// Plain TypeScript (no Remix): the Program page's action and the tests call these directly.
// Saving settings writes only ProgramSettings; the ledger is never touched — new rules apply to
// what happens next (the next order, the next refund), never retroactively.
import { z } from "zod";
import { db } from "../db.server";
import { parseTiers, type Tier } from "./program";

// ---- the settings ---------------------------------------------------------------------------------

export type Settings = {
  pointsPerUnit: number;
  signupBonusEnabled: boolean;
  signupBonusPoints: number;
  birthdayBonusEnabled: boolean;
  birthdayBonusPoints: number;
  referralBonusEnabled: boolean;
  referralBonusPoints: number;
  tiersEnabled: boolean;
  tiers: Tier[];
  expiryEnabled: boolean;
  expiryMonths: number;
  allowNegativeBalance: boolean;
  activeWindowDays: number;
  codeExpiryDays: number;
  restorePointsOnExpiry: boolean;
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
};

/** Out of the box (docs/loyalty-rules.md): 1 point per unit of currency; bonuses, tiers and expiry off. */
export const DEFAULT_SETTINGS: Settings = {
  pointsPerUnit: 1,
  signupBonusEnabled: false,
  signupBonusPoints: 100,
  birthdayBonusEnabled: false,
  birthdayBonusPoints: 100,
  referralBonusEnabled: false,
  referralBonusPoints: 200,
  tiersEnabled: false,
  tiers: [],
  expiryEnabled: false,
  expiryMonths: 12,
  allowNegativeBalance: false,
  activeWindowDays: 365,
  codeExpiryDays: 30,
  restorePointsOnExpiry: false,
  combinesWithOrder: false,
  combinesWithProduct: true,
  combinesWithShipping: true,
};

/** What the onboarding proposes when the owner turns a feature on (points scale with pointsPerUnit). */
export function suggestedValues(pointsPerUnit: number) {
  const points = (n: number) => Math.max(1, Math.round(n * pointsPerUnit));
  return {
    signupBonusPoints: points(100),
    birthdayBonusPoints: points(100),
    referralBonusPoints: points(200),
    expiryMonths: 12,
    tiers: [
      { name: "Bronze", minSpendCents: 0, multiplier: 1 },
      { name: "Silver", minSpendCents: 30_000, multiplier: 1.25 },
      { name: "Gold", minSpendCents: 100_000, multiplier: 1.5 },
    ] satisfies Tier[],
  };
}

// Form values arrive as strings ("12", "on") or as JSON numbers and booleans: accept both, and
// say in the merchant's words what is wrong.
const number = (what = "a number") =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim().replace(/,/g, ""))) : v ?? undefined),
    z.number({ required_error: `Enter ${what}`, invalid_type_error: `Enter ${what}` }).finite(`Enter ${what}`),
  );
const whole = (min: number, max: number, what = "a whole number") =>
  number(what).pipe(
    z.number().int(`Enter a whole number`).min(min, `Enter at least ${min.toLocaleString("en")}`).max(max, `Enter at most ${max.toLocaleString("en")}`),
  );
const flag = z.preprocess(
  (v) => (typeof v === "string" ? ["true", "on", "1", "yes"].includes(v.toLowerCase()) : v ?? false),
  z.boolean({ invalid_type_error: "Choose on or off" }),
);
const MAX_CENTS = 1_000_000_000; // ten million in shop currency: beyond any sane threshold

const tierInput = z.object({
  name: z.string({ required_error: "Name the tier", invalid_type_error: "Name the tier" }).trim().min(1, "Name the tier").max(40, "Keep the name under 40 characters"),
  minSpendCents: whole(0, MAX_CENTS, "an amount"),
  multiplier: number("a multiplier").pipe(z.number().min(1, "The multiplier must be at least 1").max(10, "The multiplier can be at most 10")),
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
  referralBonusEnabled: flag,
  referralBonusPoints: whole(1, 1_000_000, "points"),
  tiersEnabled: flag,
  tiers: z.array(tierInput, { invalid_type_error: "Tiers must be a list" }).max(20, "At most 20 tiers").default([]),
  expiryEnabled: flag,
  expiryMonths: whole(1, 120, "months"),
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
  if (enabled.success && enabled.data && Array.isArray(raw) && rows.length === 0) errors.tiers = "Add at least one tier, or turn tiers off";
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

export type FieldErrors = Record<string, string>;

/** A validation failure in the form's terms: `{ "tiers.1.name": "…", pointsPerUnit: "…" }`. */
export class InvalidInput extends Error {
  constructor(readonly fieldErrors: FieldErrors) {
    super(`invalid input: ${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
    this.name = "InvalidInput";
  }
}

function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

export function parseSettings(input: unknown): Settings {
  const parsed = settingsSchema.safeParse(input);
  const raw = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const errors = { ...tierIssues(raw.tiers, raw.tiersEnabled), ...(parsed.success ? {} : fieldErrors(parsed.error)) };
  if (!parsed.success || Object.keys(errors).length > 0) throw new InvalidInput(errors);
  return { ...parsed.data, tiers: [...parsed.data.tiers].sort((a, b) => a.minSpendCents - b.minSpendCents) };
}

type SettingsRow = Omit<Settings, "tiers"> & { tiers: string };

function fromRow(row: SettingsRow): Settings {
  return {
    pointsPerUnit: row.pointsPerUnit,
    signupBonusEnabled: row.signupBonusEnabled,
    signupBonusPoints: row.signupBonusPoints,
    birthdayBonusEnabled: row.birthdayBonusEnabled,
    birthdayBonusPoints: row.birthdayBonusPoints,
    referralBonusEnabled: row.referralBonusEnabled,
    referralBonusPoints: row.referralBonusPoints,
    tiersEnabled: row.tiersEnabled,
    tiers: parseTiers(row.tiers),
    expiryEnabled: row.expiryEnabled,
    expiryMonths: row.expiryMonths,
    allowNegativeBalance: row.allowNegativeBalance,
    activeWindowDays: row.activeWindowDays,
    codeExpiryDays: row.codeExpiryDays,
    restorePointsOnExpiry: row.restorePointsOnExpiry,
    combinesWithOrder: row.combinesWithOrder,
    combinesWithProduct: row.combinesWithProduct,
    combinesWithShipping: row.combinesWithShipping,
  };
}

/** The shop's settings; the defaults of docs/loyalty-rules.md when it has none yet. */
export async function loadSettings(shop: string): Promise<Settings> {
  const row = await db.programSettings.findUnique({ where: { shop } });
  return row ? fromRow(row) : { ...DEFAULT_SETTINGS, tiers: [] };
}

/** Validates and stores the whole settings form; throws InvalidInput and stores nothing when any field is wrong. */
export async function saveSettings(shop: string, input: unknown): Promise<Settings> {
  const settings = parseSettings(input);
  const data = { ...settings, tiers: JSON.stringify(settings.tiers) };
  const row = await db.programSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return fromRow(row);
}

// ---- rewards --------------------------------------------------------------------------------------

export const REWARD_KINDS = ["amount_off", "percent_off", "free_shipping"] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

export type Reward = {
  id: number;
  name: string;
  kind: RewardKind;
  pointsCost: number;
  valueCents: number;
  percentOff: number;
  minimumSubtotalCents: number | null;
  active: boolean;
  /** codes issued for it so far: a reward with redemptions is deactivated, never deleted */
  redemptions: number;
};

export type RewardInput = Omit<Reward, "id" | "active" | "redemptions">;

const optionalCents = z.preprocess(
  (v) => (v === "" || v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? null : v),
  z.union([z.null(), whole(0, MAX_CENTS, "an amount")]),
);

const rewardKind = z.enum(REWARD_KINDS, { errorMap: () => ({ message: "Choose amount off, percent off or free shipping" }) });

/** The fields every reward has; the value fields depend on the kind (see parseReward). */
export const rewardSchema = z.object({
  name: z.string({ required_error: "Name the reward", invalid_type_error: "Name the reward" }).trim().min(1, "Name the reward").max(60, "Keep the name under 60 characters"),
  kind: rewardKind,
  pointsCost: whole(1, 10_000_000, "points"),
  minimumSubtotalCents: optionalCents.optional(),
});

const KIND_VALUE = {
  amount_off: { field: "valueCents", schema: whole(0, MAX_CENTS, "an amount").pipe(z.number().min(1, "The amount off must be more than 0")) },
  percent_off: { field: "percentOff", schema: whole(1, 100, "a percentage") },
} as const;

/** A reward as stored: amount off needs an amount, percent off 1–100, free shipping carries no value. */
export function parseReward(input: unknown): RewardInput {
  const raw = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const base = rewardSchema.safeParse(raw);
  const errors: FieldErrors = base.success ? {} : fieldErrors(base.error);
  const kind = rewardKind.safeParse(raw.kind);
  let valueCents = 0;
  let percentOff = 0;
  if (kind.success && kind.data !== "free_shipping") {
    const { field, schema } = KIND_VALUE[kind.data];
    const value = schema.safeParse(raw[field]);
    if (!value.success) errors[field] = value.error.issues[0].message;
    else if (field === "valueCents") valueCents = value.data;
    else percentOff = value.data;
  }
  if (!base.success || Object.keys(errors).length > 0) throw new InvalidInput(errors);
  const r = base.data;
  return { name: r.name, kind: r.kind, pointsCost: r.pointsCost, valueCents, percentOff, minimumSubtotalCents: r.minimumSubtotalCents || null };
}

/** Every reward of the shop, active first, cheapest first, with how often each was redeemed. */
export async function listRewards(shop: string): Promise<Reward[]> {
  const [rows, counts] = await Promise.all([
    db.reward.findMany({ where: { shop }, orderBy: [{ active: "desc" }, { pointsCost: "asc" }, { id: "asc" }] }),
    db.redemption.groupBy({ by: ["rewardId"], where: { shop }, _count: { _all: true } }),
  ]);
  const used = new Map(counts.map((c) => [c.rewardId, c._count._all]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind as RewardKind,
    pointsCost: r.pointsCost,
    valueCents: r.valueCents,
    percentOff: r.percentOff,
    minimumSubtotalCents: r.minimumSubtotalCents,
    active: r.active,
    redemptions: used.get(r.id) ?? 0,
  }));
}

export class RewardNotFound extends Error {
  constructor(shop: string, id: unknown) {
    super(`no reward ${String(id)} in ${shop}`);
    this.name = "RewardNotFound";
  }
}

function rewardId(id: unknown): number {
  const n = typeof id === "string" ? Number(id) : id;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : -1;
}

async function ownReward(shop: string, id: unknown) {
  const row = await db.reward.findFirst({ where: { shop, id: rewardId(id) } });
  if (!row) throw new RewardNotFound(shop, id);
  return row;
}

export async function createReward(shop: string, input: unknown) {
  const reward = parseReward(input);
  return db.reward.create({ data: { shop, ...reward, active: true } });
}

/**
 * Changes a reward for future redemptions. Codes already issued keep the discount Shopify
 * created for them; the redemption rows keep their own pointsSpent.
 */
export async function updateReward(shop: string, id: unknown, input: unknown) {
  const reward = parseReward(input);
  const row = await ownReward(shop, id);
  return db.reward.update({ where: { id: row.id }, data: reward });
}

export async function setRewardActive(shop: string, id: unknown, active: boolean) {
  const row = await ownReward(shop, id);
  return db.reward.update({ where: { id: row.id }, data: { active } });
}

/**
 * Removes a reward nobody has redeemed; one with redemptions is only deactivated, so its
 * redemptions (and the owner's reports) keep their reward. Returns what happened.
 */
export async function removeReward(shop: string, id: unknown): Promise<"deleted" | "deactivated"> {
  const row = await ownReward(shop, id);
  return db.$transaction(async (tx) => {
    const redemptions = await tx.redemption.count({ where: { shop, rewardId: row.id } });
    if (redemptions > 0) {
      await tx.reward.update({ where: { id: row.id }, data: { active: false } });
      return "deactivated" as const;
    }
    await tx.reward.delete({ where: { id: row.id } });
    return "deleted" as const;
  });
}

/** The starter set of the onboarding: $5 off for 500 points, free shipping for 800, 10% off for 1,000 at 1 point per unit. */
export function suggestedRewards(pointsPerUnit: number, currency = "USD"): RewardInput[] {
  const cost = (points: number) => Math.max(1, Math.round(points * pointsPerUnit));
  let five: string;
  try {
    five = new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(5);
  } catch {
    five = "5";
  }
  return [
    { name: `${five} off`, kind: "amount_off", pointsCost: cost(500), valueCents: 500, percentOff: 0, minimumSubtotalCents: null },
    { name: "Free shipping", kind: "free_shipping", pointsCost: cost(800), valueCents: 0, percentOff: 0, minimumSubtotalCents: null },
    { name: "10% off", kind: "percent_off", pointsCost: cost(1000), valueCents: 0, percentOff: 10, minimumSubtotalCents: null },
  ];
}

/**
 * Adds the starter rewards, scaled to the shop's points per unit, when the shop has no rewards
 * yet. A second click (or a second tab) adds nothing. Returns how many were added.
 */
export async function addSuggestedRewards(shop: string): Promise<number> {
  const [settings, shopRow] = await Promise.all([loadSettings(shop), db.shop.findUnique({ where: { domain: shop }, select: { currency: true } })]);
  const suggestions = suggestedRewards(settings.pointsPerUnit, shopRow?.currency ?? "USD");
  return db.$transaction(async (tx) => {
    if ((await tx.reward.count({ where: { shop } })) > 0) return 0;
    await tx.reward.createMany({ data: suggestions.map((r) => ({ shop, ...r, active: true })) });
    return suggestions.length;
  });
}
