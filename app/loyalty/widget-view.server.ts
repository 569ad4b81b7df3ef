// What a shopper sees of the program (docs/public-routes.md, extensions/rewards-widget/README.md): balance,
// tier and progress, the codes they hold, rewards, recent activity, ways to earn. A guest gets the
// public part. Numbers, not sentences: the widget words them in the shopper's language.
import { db } from "../db.server";
import { loadProgram } from "./program.server";
import { tierForSpend, type Tier } from "./program";
import { ordinal } from "./earning";
import { activeRewards, publicReward, type PublicReward } from "./rewards.server";
import { rollingSpend, WINDOW_DAYS } from "./tiers.server";
import { expiringPoints, type Expiring } from "./expiry-reminders.server";
import { referralLink, type ReferralLink } from "./referrals.server";

export const HISTORY_PAGE = 20;
const HISTORY_IN_VIEW = 10;

const CODES_IN_VIEW = 10;

/**
 * One ledger row. `date` is the day the shopper knows it by: the order's date for points an order
 * earned or lost (an imported order's points are credited long after it was placed), else
 * `createdAt`, when the points moved.
 */
export type HistoryItem = { id: string; delta: number; kind: string; reason: string; createdAt: string; date: string };
/**
 * A way to earn, with its numbers: `rate` points per 1 unit of shop currency (order), `points`
 * (the bonuses), `every` (the every-Nth-order bonus). `label` is the English wording.
 */
export type WayToEarn = {
  kind: "order" | "signup" | "first_order" | "nth_order" | "birthday" | "referral";
  label: string;
  rate?: number;
  points?: number;
  every?: number;
};
/** A code the shopper redeemed and has not used, still valid: shown until it is used or expires. */
export type RedeemedCode = {
  code: string;
  rewardName: string;
  kind: string;
  /** as a reward's `value`: amount off in currency units, percent (10 = 10%), 0 for free shipping */
  value: number;
  pointsSpent: number;
  expiresAt: string | null;
};

export type MemberView = {
  customerId: string | null;
  points: number;
  tier: { name: string; multiplier: number; perks: string } | null;
  nextTier: { name: string; spendNeeded: number; progress: number } | null;
  /** Spend so far in the rolling window and what the next tier needs (shop currency); null when tiers are off. */
  tierProgress: { spend: number; windowDays: number; nextTierAt: number | null; spendNeeded: number | null } | null;
  /** MM-DD, or null until the shopper gives it. */
  birthday: string | null;
  /** Points due to expire within the reminder window, and the day; null when none are. */
  expiring: Expiring | null;
  /** Redeemed, unused, unexpired codes, newest first (at most 10); empty for a guest. */
  codes: RedeemedCode[];
  rewards: PublicReward[];
  history: HistoryItem[];
  waysToEarn: WayToEarn[];
  /** The member's referral code and share link; null for a guest or when referrals are off. */
  referral: ReferralLink | null;
};

export async function memberView(shop: string, customerShopifyId: string | null): Promise<MemberView> {
  const [rewards, waysToEarn] = await Promise.all([activeRewards(shop), waysToEarnFor(shop)]);
  const view: MemberView = {
    customerId: customerShopifyId,
    points: 0,
    tier: null,
    nextTier: null,
    tierProgress: null,
    birthday: null,
    expiring: null,
    codes: [],
    rewards: rewards.map(publicReward),
    history: [],
    waysToEarn,
    referral: null,
  };
  if (!customerShopifyId) return view;
  const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } } });
  if (!customer || customer.redactedAt) return view; // signed in, not earned anything yet
  view.points = customer.pointsBalance;
  view.birthday = customer.birthday;
  [view.history, view.codes] = await Promise.all([
    historyPage(shop, customerShopifyId, null, HISTORY_IN_VIEW).then((p) => p.history),
    unusedCodes(shop, customer.id),
  ]);
  const program = await loadProgram(db as never, shop);
  if (program.referralBonusEnabled) view.referral = await referralLink(db, shop, customer.id);
  if (program.tiersEnabled && program.tiers.length > 0) {
    const spend = (await rollingSpend(db, shop, [customer.id])).get(customer.id) ?? 0;
    const current = tierForSpend(program, spend);
    const next = program.tiers.find((t) => t.minSpendCents > spend) ?? null;
    view.tier = current ? { name: current.name, multiplier: current.multiplier, perks: current.perks ?? "" } : null;
    view.nextTier = next ? nextTierOf(current, next, spend) : null;
    view.tierProgress = {
      spend: spend / 100,
      windowDays: WINDOW_DAYS,
      nextTierAt: next ? next.minSpendCents / 100 : null,
      spendNeeded: next ? (next.minSpendCents - spend) / 100 : null,
    };
  }
  if (program.expiryEnabled) {
    const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { timezone: true } });
    view.expiring = await expiringPoints(db, shop, program, customer, shopRow?.timezone ?? "UTC");
  }
  return view;
}

function nextTierOf(current: Tier | null, next: Tier, spendCents: number) {
  const from = current?.minSpendCents ?? 0;
  const span = Math.max(1, next.minSpendCents - from);
  return {
    name: next.name,
    spendNeeded: (next.minSpendCents - spendCents) / 100,
    progress: Math.min(1, Math.max(0, (spendCents - from) / span)),
  };
}

async function waysToEarnFor(shop: string): Promise<WayToEarn[]> {
  const s = await db.programSettings.findUnique({ where: { shop } });
  const perUnit = s?.pointsPerUnit ?? 1;
  const ways: WayToEarn[] = [
    { kind: "order", label: `${perUnit} ${perUnit === 1 ? "point" : "points"} for every 1 spent`, rate: perUnit },
  ];
  const bonus = (kind: WayToEarn["kind"], points: number, label: string, every?: number) =>
    ways.push({ kind, label, points, ...(every ? { every } : {}) });
  if (s?.signupBonusEnabled) bonus("signup", s.signupBonusPoints, `${s.signupBonusPoints} points for creating an account`);
  if (s?.firstOrderBonusEnabled)
    bonus("first_order", s.firstOrderBonusPoints, `${s.firstOrderBonusPoints} points on your first order`);
  if (s?.nthOrderBonusEnabled)
    bonus(
      "nth_order",
      s.nthOrderBonusPoints,
      `${s.nthOrderBonusPoints} points on every ${ordinal(s.nthOrderBonusEvery)} order`,
      s.nthOrderBonusEvery,
    );
  if (s?.birthdayBonusEnabled) bonus("birthday", s.birthdayBonusPoints, `${s.birthdayBonusPoints} points on your birthday`);
  if (s?.referralBonusEnabled)
    bonus("referral", s.referralBonusPoints, `${s.referralBonusPoints} points for each friend you refer`);
  return ways;
}

/**
 * The member's issued codes that are neither used nor expired (a code without an end date stays),
 * newest first. Store credit has no code and is spent at checkout, so it never appears here.
 */
export async function unusedCodes(shop: string, customerId: number, now = new Date()): Promise<RedeemedCode[]> {
  const rows = await db.redemption.findMany({
    where: {
      shop,
      customerId,
      status: "issued",
      code: { not: null },
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    orderBy: { id: "desc" },
    take: CODES_IN_VIEW,
  });
  const rewards = new Map(
    (await db.reward.findMany({ where: { shop, id: { in: rows.map((r) => r.rewardId) } } })).map((r) => [r.id, r]),
  );
  return rows.map((r) => {
    const reward = rewards.get(r.rewardId);
    const shown = reward ? publicReward(reward) : null;
    return {
      code: r.code!,
      rewardName: reward?.name ?? "",
      kind: shown?.kind ?? "",
      value: shown?.value ?? 0,
      pointsSpent: r.pointsSpent,
      expiresAt: r.expiresAt?.toISOString() ?? null,
    };
  });
}

/** Ledger kinds as the widget names them: bonuses by what earned them; points given back apart from spending. */
function displayKind(kind: string, delta: number, idempotencyKey: string): string {
  if (kind === "bonus") {
    const m = /:(signup|birthday|referral|first-order|nth-order|tier-entry)\b/.exec(idempotencyKey);
    return m ? m[1].replace("-", "_") : "bonus";
  }
  if (kind === "redeem" && delta > 0) return "redeem_returned";
  return kind;
}

/** The customer's ledger, newest first, `limit` at a time; `cursor` is the last id of the previous page. */
export async function historyPage(
  shop: string,
  customerShopifyId: string,
  cursor: number | null,
  limit = HISTORY_PAGE,
): Promise<{ history: HistoryItem[]; nextCursor: string | null }> {
  const customer = await db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } },
    select: { id: true, redactedAt: true },
  });
  if (!customer || customer.redactedAt) return { history: [], nextCursor: null };
  const rows = await db.ledgerEntry.findMany({
    where: { customerId: customer.id, shop, ...(cursor ? { id: { lt: cursor } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    include: { order: { select: { processedAt: true } } },
  });
  const page = rows.slice(0, limit);
  return {
    history: page.map((e) => ({
      id: String(e.id),
      delta: e.delta,
      kind: displayKind(e.kind, e.delta, e.idempotencyKey),
      reason: e.reason,
      createdAt: e.createdAt.toISOString(),
      date: (e.order?.processedAt ?? e.createdAt).toISOString(),
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
  };
}
