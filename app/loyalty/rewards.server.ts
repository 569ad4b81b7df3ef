// The rewards a shop offers: the owner's list (create, edit, turn off, remove, starter rewards) and
// what the storefront and redemption read of them.
import { z } from "zod";
import { db } from "../db.server";
import type { RewardDiscount } from "../shopify/discounts.server";
import { shopFacts } from "../shops/facts.server";
import { fieldErrors, InvalidInput, MAX_CENTS, whole, type FieldErrors } from "./form-input";
import { loadProgram } from "./program.server";

export type RewardRow = {
  id: number;
  shop: string;
  name: string;
  kind: string;
  pointsCost: number;
  valueCents: number;
  percentOff: number;
  minimumSubtotalCents: number | null;
  creditExpiryDays: number | null;
  active: boolean;
};

/**
 * A reward as the storefront sees it: money in shop-currency units, percent as a number (10 = 10%);
 * for store credit, `value` is the credit and `creditExpiryDays` how long it lasts (null: no end).
 */
export type PublicReward = {
  id: string;
  name: string;
  kind: RewardKind;
  pointsCost: number;
  value: number;
  minimumSubtotal: number | null;
  creditExpiryDays?: number | null;
};

export async function activeRewards(shop: string): Promise<RewardRow[]> {
  return db.reward.findMany({
    where: { shop, active: true, pointsCost: { gt: 0 } },
    orderBy: [{ pointsCost: "asc" }, { id: "asc" }],
  });
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
    value: kind === "amount_off" || kind === "store_credit" ? r.valueCents / 100 : kind === "percent_off" ? r.percentOff : 0,
    minimumSubtotal: r.minimumSubtotalCents != null && r.minimumSubtotalCents > 0 ? r.minimumSubtotalCents / 100 : null,
    ...(kind === "store_credit" ? { creditExpiryDays: r.creditExpiryDays ?? null } : {}),
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

// ---- the owner's list ---------------------------------------------------------------------------

export const REWARD_KINDS = ["amount_off", "percent_off", "free_shipping", "store_credit"] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

export type Reward = {
  id: number;
  name: string;
  kind: RewardKind;
  pointsCost: number;
  valueCents: number;
  percentOff: number;
  minimumSubtotalCents: number | null;
  /** store credit only: days the credit lasts once issued; null: it does not expire */
  creditExpiryDays: number | null;
  active: boolean;
  /** codes issued for it so far: a reward with redemptions is deactivated, never deleted */
  redemptions: number;
};

export type RewardInput = Omit<Reward, "id" | "active" | "redemptions">;

const optionalCents = z.preprocess(
  (v) => (v === "" || v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? null : v),
  z.union([z.null(), whole(0, MAX_CENTS, "an amount")]),
);

const rewardKind = z.enum(REWARD_KINDS, {
  errorMap: () => ({ message: "Choose amount off, percent off, free shipping or store credit" }),
});

/** The fields every reward has; the value fields depend on the kind (see parseReward). */
export const rewardSchema = z.object({
  name: z
    .string({ required_error: "Name the reward", invalid_type_error: "Name the reward" })
    .trim()
    .min(1, "Name the reward")
    .max(60, "Keep the name under 60 characters"),
  kind: rewardKind,
  pointsCost: whole(1, 10_000_000, "points"),
  minimumSubtotalCents: optionalCents.optional(),
});

const KIND_VALUE = {
  amount_off: {
    field: "valueCents",
    schema: whole(0, MAX_CENTS, "an amount").pipe(z.number().min(1, "The amount off must be more than 0")),
  },
  percent_off: { field: "percentOff", schema: whole(1, 100, "a percentage") },
  store_credit: {
    field: "valueCents",
    schema: whole(0, MAX_CENTS, "an amount").pipe(z.number().min(1, "The store credit must be more than 0")),
  },
} as const;

/** Ten years: Shopify wants an expiry in the future; nobody means a longer one. */
const MAX_CREDIT_EXPIRY_DAYS = 3650;
const creditExpiryDays = z.preprocess(
  (v) => (v === "" || v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? null : v),
  z.union([z.null(), whole(1, MAX_CREDIT_EXPIRY_DAYS, "days")]),
);

/**
 * A reward as stored: amount off needs an amount, percent off 1–100, free shipping carries no value,
 * store credit an amount and optionally the days it lasts (a credit has no minimum order).
 */
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
  let expiryDays: number | null = null;
  if (kind.success && kind.data === "store_credit") {
    const days = creditExpiryDays.safeParse(raw.creditExpiryDays);
    if (!days.success) errors.creditExpiryDays = days.error.issues[0].message;
    else expiryDays = days.data;
  }
  if (!base.success || Object.keys(errors).length > 0) throw new InvalidInput(errors);
  const r = base.data;
  return {
    name: r.name,
    kind: r.kind,
    pointsCost: r.pointsCost,
    valueCents,
    percentOff,
    minimumSubtotalCents: r.kind === "store_credit" ? null : r.minimumSubtotalCents || null,
    creditExpiryDays: expiryDays,
  };
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
    creditExpiryDays: r.creditExpiryDays,
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

/** A reward the onboarding proposes: a discount code, never store credit (the owner opts into that). */
export type StarterReward = RewardInput & { kind: "amount_off" | "percent_off" | "free_shipping" };

/** The starter set of the onboarding: $5 off for 500 points, free shipping for 800, 10% off for 1,000 at 1 point per unit. */
export function suggestedRewards(pointsPerUnit: number, currency = "USD"): StarterReward[] {
  const cost = (points: number) => Math.max(1, Math.round(points * pointsPerUnit));
  let five: string;
  try {
    five = new Intl.NumberFormat("en", {
      style: "currency",
      currency,
      minimumFractionDigits: 0,
      maximumFractionDigits: 2,
    }).format(5);
  } catch {
    five = "5";
  }
  return [
    {
      name: `${five} off`,
      kind: "amount_off",
      pointsCost: cost(500),
      valueCents: 500,
      percentOff: 0,
      minimumSubtotalCents: null,
      creditExpiryDays: null,
    },
    {
      name: "Free shipping",
      kind: "free_shipping",
      pointsCost: cost(800),
      valueCents: 0,
      percentOff: 0,
      minimumSubtotalCents: null,
      creditExpiryDays: null,
    },
    {
      name: "10% off",
      kind: "percent_off",
      pointsCost: cost(1000),
      valueCents: 0,
      percentOff: 10,
      minimumSubtotalCents: null,
      creditExpiryDays: null,
    },
  ];
}

/**
 * Adds the starter rewards, scaled to the shop's points per unit, when the shop has no rewards
 * yet. A second click (or a second tab) adds nothing. Returns how many were added.
 */
export async function addSuggestedRewards(shop: string): Promise<number> {
  const [program, facts] = await Promise.all([loadProgram(db, shop), shopFacts(shop)]);
  const suggestions = suggestedRewards(program.pointsPerUnit, facts.currency);
  return db.$transaction(async (tx) => {
    if ((await tx.reward.count({ where: { shop } })) > 0) return 0;
    await tx.reward.createMany({ data: suggestions.map((r) => ({ shop, ...r, active: true })) });
    return suggestions.length;
  });
}
