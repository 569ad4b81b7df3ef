// The first-run onboarding: what a new shop's owner is walked through before the dashboard —
// earning (rate, sign-up bonus), starter rewards, the rewards widget on the live theme — and the
// checklist that ticks itself from what is really there. Settings and rewards are validated and
// saved by the same functions as the Program page (app/loyalty); this module adds only which
// steps were done and whether the owner finished or put the onboarding aside.
import { config } from "../config.server";
import { db } from "../db.server";
import { log } from "../log.server";
import { InvalidInput, type FieldErrors } from "../loyalty/form-input";
import type { Program } from "../loyalty/program";
import { loadProgram } from "../loyalty/program.server";
import { parseReward, suggestedRewards, type RewardInput, type StarterReward } from "../loyalty/rewards.server";
import { patchSettings, suggestedValues } from "../loyalty/settings.server";
import { activateEmbedUrl, embedState, fetchMainThemeSettings, type ThemesAdmin } from "../shopify/themes.server";
import { shopFacts } from "../shops/facts.server";

/** The app embed's handle: extensions/rewards-widget/blocks/rewards-embed.liquid. */
export const EMBED_BLOCK_HANDLE = "rewards-embed";

/** The program settings step 1 sets; everything else keeps its default until the Program page. */
export const EARNING_FIELDS = ["pointsPerUnit", "signupBonusEnabled", "signupBonusPoints"] as const;
export type EarningInput = Pick<Program, (typeof EARNING_FIELDS)[number]>;

export type Checklist = { earning: boolean; rewards: boolean; embed: boolean };

export type OnboardingStatus = {
  checklist: Checklist;
  done: number;
  activeRewards: number;
  /** When the theme was last checked (ISO), null if never. */
  embedCheckedAt: string | null;
  dismissedAt: string | null;
  finishedAt: string | null;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Where the shop stands; every tick comes from stored facts (no call to Shopify). */
export async function onboardingStatus(shop: string): Promise<OnboardingStatus> {
  const [row, activeRewards] = await Promise.all([
    db.onboarding.findUnique({ where: { shop } }),
    db.reward.count({ where: { shop, active: true, pointsCost: { gt: 0 } } }),
  ]);
  const checklist = { earning: Boolean(row?.earningSavedAt), rewards: activeRewards > 0, embed: Boolean(row?.embedOn) };
  return {
    checklist,
    done: Object.values(checklist).filter(Boolean).length,
    activeRewards,
    embedCheckedAt: iso(row?.embedCheckedAt),
    dismissedAt: iso(row?.dismissedAt),
    finishedAt: iso(row?.finishedAt),
  };
}

/** True until the owner finishes or puts the onboarding aside: opening the app leads there. */
export async function onboardingPending(shop: string): Promise<boolean> {
  const row = await db.onboarding.findUnique({ where: { shop }, select: { dismissedAt: true, finishedAt: true } });
  return !row || (!row.dismissedAt && !row.finishedAt);
}

type Marks = Partial<{ earningSavedAt: Date; embedOn: boolean; embedCheckedAt: Date; dismissedAt: Date; finishedAt: Date }>;
const touch = (shop: string, data: Marks) => db.onboarding.upsert({ where: { shop }, create: { shop, ...data }, update: data });

/** What the first step proposes: the stored rate (1 point per unit out of the box) and a sign-up bonus, on. */
export async function earningProposal(shop: string) {
  const program = await loadProgram(db, shop);
  const status = await db.onboarding.findUnique({ where: { shop }, select: { earningSavedAt: true } });
  const suggested = suggestedValues(program.pointsPerUnit);
  return {
    pointsPerUnit: program.pointsPerUnit,
    // Before the step is saved the bonus is proposed on, at the suggested amount; after, what was saved.
    signupBonusEnabled: status?.earningSavedAt ? program.signupBonusEnabled : true,
    signupBonusPoints: status?.earningSavedAt ? program.signupBonusPoints : suggested.signupBonusPoints,
    suggestedSignupBonusPoints: suggested.signupBonusPoints,
  };
}

/**
 * Step 1: the earning rate and the sign-up bonus, validated and saved like the Program page's
 * JSON API (any field wrong: InvalidInput, nothing saved), then the step is ticked.
 */
export async function saveEarning(shop: string, input: unknown): Promise<Program> {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new InvalidInput({ form: "Send the earning settings" });
  const patch: Record<string, unknown> = {};
  for (const key of EARNING_FIELDS) if (key in input) patch[key] = (input as Record<string, unknown>)[key];
  const saved = await patchSettings(shop, await loadProgram(db, shop), patch);
  await touch(shop, { earningSavedAt: new Date() });
  return saved;
}

/** Step 2's proposal: the three starter rewards, scaled to the shop's rate and named in its currency. */
export async function starterRewards(shop: string): Promise<StarterReward[]> {
  const [program, facts] = await Promise.all([loadProgram(db, shop), shopFacts(shop)]);
  return suggestedRewards(program.pointsPerUnit, facts.currency);
}

const MAX_STARTERS = 3;

/** The starter rewards as the owner edited them: every one valid, or InvalidInput naming `rewards.<i>.<field>`. */
export function parseStarterRewards(input: unknown): RewardInput[] {
  if (!Array.isArray(input) || input.length === 0) throw new InvalidInput({ rewards: "Add at least one reward" });
  if (input.length > MAX_STARTERS) throw new InvalidInput({ rewards: `At most ${MAX_STARTERS} starter rewards` });
  const errors: FieldErrors = {};
  const parsed: RewardInput[] = [];
  input.forEach((raw, i) => {
    try {
      parsed.push(parseReward(raw));
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      for (const [field, message] of Object.entries(error.fieldErrors)) errors[`rewards.${i}.${field}`] = message;
    }
  });
  if (Object.keys(errors).length > 0) throw new InvalidInput(errors);
  return parsed;
}

/**
 * Step 2: creates the starter rewards once. The step's own row is the lock: only the request that
 * turns `rewardsSavedAt` from empty to set creates them, so a double submit, a second tab or a
 * retry adds nothing (SQLite serialises writers; PostgreSQL makes the second update wait for the
 * first and then find nothing to change). A shop that already has rewards gets none added.
 * Returns how many were created.
 */
export async function saveStarterRewards(shop: string, input: unknown): Promise<number> {
  const rewards = parseStarterRewards(input);
  await db.onboarding.upsert({ where: { shop }, create: { shop }, update: {} });
  return db.$transaction(async (tx) => {
    const claimed = await tx.onboarding.updateMany({
      where: { shop, rewardsSavedAt: null },
      data: { rewardsSavedAt: new Date() },
    });
    if (claimed.count === 0) return 0;
    if ((await tx.reward.count({ where: { shop } })) > 0) return 0;
    await tx.reward.createMany({ data: rewards.map((r) => ({ shop, ...r, active: true })) });
    return rewards.length;
  });
}

export type EmbedCheck =
  | { state: "on" | "off" | "absent"; themeName: string | null; checkedAt: string }
  | { state: "unknown"; reason: string; checkedAt: string };

/**
 * Step 3: asks Shopify whether the rewards embed is on in the live theme, and remembers the answer
 * for the checklist. When Shopify cannot say (no answer in time, scope missing, no online store)
 * the last answer stands and the owner is told why.
 */
export async function checkEmbed(shop: string, admin: ThemesAdmin): Promise<EmbedCheck> {
  const now = new Date();
  try {
    const theme = await fetchMainThemeSettings(admin, AbortSignal.timeout(config().SHOPIFY_ADMIN_TIMEOUT_MS));
    const state = theme ? embedState(theme.settingsData, EMBED_BLOCK_HANDLE) : "absent";
    await touch(shop, { embedOn: state === "on", embedCheckedAt: now });
    return { state, themeName: theme?.themeName ?? null, checkedAt: now.toISOString() };
  } catch (error) {
    log.warn("onboarding.embed_check_failed", { shop, error: String(error) });
    return {
      state: "unknown",
      reason: "Shopify did not answer the theme check. Try again in a moment.",
      checkedAt: now.toISOString(),
    };
  }
}

/** The theme editor with the rewards embed switched on, for the owner to save. */
export function embedEditorUrl(shop: string): string {
  return activateEmbedUrl(shop, config().SHOPIFY_API_KEY, EMBED_BLOCK_HANDLE);
}

export class NotReadyToFinish extends Error {
  constructor(readonly missing: (keyof Checklist)[]) {
    super(`onboarding not finished: ${missing.join(", ")} not done`);
    this.name = "NotReadyToFinish";
  }
}

/** "Finish": every box must be ticked; then the dashboard is home. */
export async function finishOnboarding(shop: string): Promise<void> {
  const { checklist } = await onboardingStatus(shop);
  const missing = (Object.keys(checklist) as (keyof Checklist)[]).filter((k) => !checklist[k]);
  if (missing.length > 0) throw new NotReadyToFinish(missing);
  await touch(shop, { finishedAt: new Date() });
}

/** "Do this later": the dashboard opens from now on and offers to resume. */
export async function dismissOnboarding(shop: string): Promise<void> {
  await touch(shop, { dismissedAt: new Date() });
}
