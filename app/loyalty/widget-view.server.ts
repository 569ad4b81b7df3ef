// What a shopper sees of the program (docs/public-routes.md, extensions/rewards-widget/README.md): balance,
// tier and progress, rewards, recent activity, ways to earn. A guest gets the public part.
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

export type HistoryItem = { id: string; delta: number; kind: string; reason: string; createdAt: string };
export type WayToEarn = { kind: "order" | "signup" | "first_order" | "nth_order" | "birthday" | "referral"; label: string };

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
  view.history = (await historyPage(shop, customerShopifyId, null, HISTORY_IN_VIEW)).history;
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
  const ways: WayToEarn[] = [{ kind: "order", label: `${perUnit} ${perUnit === 1 ? "point" : "points"} for every 1 spent` }];
  if (s?.signupBonusEnabled) ways.push({ kind: "signup", label: `${s.signupBonusPoints} points for creating an account` });
  if (s?.firstOrderBonusEnabled)
    ways.push({ kind: "first_order", label: `${s.firstOrderBonusPoints} points on your first order` });
  if (s?.nthOrderBonusEnabled)
    ways.push({ kind: "nth_order", label: `${s.nthOrderBonusPoints} points on every ${ordinal(s.nthOrderBonusEvery)} order` });
  if (s?.birthdayBonusEnabled) ways.push({ kind: "birthday", label: `${s.birthdayBonusPoints} points on your birthday` });
  if (s?.referralBonusEnabled)
    ways.push({ kind: "referral", label: `${s.referralBonusPoints} points for each friend you refer` });
  return ways;
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
  });
  const page = rows.slice(0, limit);
  return {
    history: page.map((e) => ({
      id: String(e.id),
      delta: e.delta,
      kind: displayKind(e.kind, e.delta, e.idempotencyKey),
      reason: e.reason,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
  };
}
