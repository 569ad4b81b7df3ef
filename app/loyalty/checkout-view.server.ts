// What the checkout and customer-account extensions read about a member (balance, tier, rewards,
// unused codes, history, the points an order earns or earned) and their way into redemption.
// The rules live in earning.ts, widget-view.server.ts and redemption.server.ts; this module only
// puts them together for the session-token routes.
import { db as defaultDb, type Db } from "../db.server";
import { tooManyAttempts } from "./redemption-attempts.server";
import { pointsForOrder } from "./earning";
import { historyPage, HISTORY_PAGE, memberView, type MemberView, type RedeemedCode } from "./widget-view.server";
import { toCents } from "./money";
import type { Program, Tier } from "./program";
import { loadProgram } from "./program.server";
import { REDEEM_FAILURE_STATUS, redeem, redeemedBody } from "./redemption.server";
import type { PublicReward } from "./rewards.server";

// ---- identities carried by Shopify's session token -------------------------------------------

/**
 * The shop a session token was issued for. Checkout and customer-account tokens carry it in `dest`,
 * as a bare domain or as a URL depending on the surface: both give the same host.
 */
export function shopFromToken(dest: unknown): string | null {
  if (typeof dest !== "string" || dest.length === 0) return null;
  try {
    const host = new URL(dest.includes("://") ? dest : `https://${dest}`).hostname.toLowerCase();
    return /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/.test(host) ? host : null;
  } catch {
    return null;
  }
}

/** The numeric Shopify customer id in the token's `sub` (`gid://shopify/Customer/123`); null for a guest. */
export function customerFromToken(sub: unknown): string | null {
  if (typeof sub !== "string") return null;
  const match = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(sub);
  return match ? match[1] : null;
}

/** An order id as the extensions send it (`gid://shopify/Order/123` or `123`), as stored (`123`). */
export function orderIdParam(value: string | null): string | null {
  if (!value) return null;
  const match = /^(?:gid:\/\/shopify\/Order\/)?(\d{1,20})$/.exec(value.trim());
  return match ? match[1] : null;
}

/** A decimal money amount from a query string, in cents; null when it is not one. */
export function subtotalParam(value: string | null): number | null {
  if (!value || value.length > 20) return null;
  try {
    const cents = toCents(value);
    return cents >= 0 ? cents : null;
  } catch {
    return null;
  }
}

// ---- the member, as the extensions show them ------------------------------------------------

/** A reward with whether this member's points cover it (the extensions only offer those). */
export type ExtensionReward = PublicReward & { affordable: boolean };

/** A code the member redeemed and has not used yet: one click applies it at checkout. */
export type UnusedCode = RedeemedCode;

/** Store credit a store-credit reward added to the member's Shopify account (amount: decimal string). */
export type IssuedCredit = {
  rewardName: string;
  amount: string;
  currency: string;
  pointsSpent: number;
  issuedAt: string;
  expiresAt: string | null;
};

export type ExtensionMember = Omit<MemberView, "rewards" | "history" | "waysToEarn"> & {
  rewards: ExtensionReward[];
  credits: IssuedCredit[];
};

/**
 * Balance, tier, rewards and the codes not used yet (widget-view.server.ts, the same view the
 * storefront widget gets). A guest gets zero points and nothing affordable.
 */
export async function extensionMember(
  shop: string,
  customerShopifyId: string | null,
  options: { onlyAffordable?: boolean } = {},
): Promise<ExtensionMember> {
  const [{ history: _recent, waysToEarn: _ways, rewards, ...member }, credits] = await Promise.all([
    memberView(shop, customerShopifyId),
    customerShopifyId ? issuedCredits(shop, customerShopifyId, defaultDb) : [],
  ]);
  const withAffordability = rewards.map((r) => ({
    ...r,
    affordable: customerShopifyId !== null && r.pointsCost <= member.points,
  }));
  return {
    ...member,
    rewards: options.onlyAffordable ? withAffordability.filter((r) => r.affordable) : withAffordability,
    credits,
  };
}

function findMember(db: Db, shop: string, customerShopifyId: string) {
  return db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } },
    select: { id: true, tier: true },
  });
}

async function rewardNames(db: Db, shop: string, ids: number[]) {
  const rows = await db.reward.findMany({ where: { shop, id: { in: ids } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The member's last store-credit redemptions that Shopify credited, newest first. */
async function issuedCredits(shop: string, customerShopifyId: string, db: Db): Promise<IssuedCredit[]> {
  const member = await findMember(db, shop, customerShopifyId);
  if (!member) return [];
  const rows = await db.redemption.findMany({
    where: { shop, customerId: member.id, status: "issued", storeCreditTransactionId: { not: null } },
    orderBy: { id: "desc" },
    take: 10,
  });
  const names = await rewardNames(
    db,
    shop,
    rows.map((r) => r.rewardId),
  );
  return rows.map((r) => ({
    rewardName: names.get(r.rewardId) ?? "",
    amount: ((r.creditCents ?? 0) / 100).toFixed(2),
    currency: r.creditCurrency ?? "",
    pointsSpent: r.pointsSpent,
    issuedAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
  }));
}

/** One page of the member's points history, newest first (widget-view.server.ts's pages). */
export async function extensionHistory(shop: string, customerShopifyId: string, cursor: string | null, limit: number) {
  const before = cursor && /^\d{1,15}$/.test(cursor) ? Number(cursor) : null;
  return historyPage(shop, customerShopifyId, before, Math.min(Math.max(Math.trunc(limit) || HISTORY_PAGE, 1), 50));
}

// ---- redeeming from checkout or the customer account ------------------------------------------

/** The key a redemption is repeated under; without one, a double click is one redemption. */
const KEY = /^[\w.:-]{8,128}$/;

/**
 * The extensions send their idempotency key in the JSON body: a custom header would need CORS
 * allow-listing that `authenticate.public.*` does not get asked for here.
 */
export function idempotencyKeyOf(body: unknown): string | null {
  const key = (body as { idempotencyKey?: unknown } | null)?.idempotencyKey;
  return key === undefined || key === null ? null : String(key);
}

/**
 * Points into a code through the redemption module (redemption.server.ts: atomic, idempotent,
 * points back if Shopify refuses), answered as an HTTP status and JSON body for the routes.
 */
export async function redeemFromExtension(
  shop: string,
  customerShopifyId: string,
  body: unknown,
  idempotencyKey: string | null,
): Promise<{ status: number; body: Record<string, unknown>; headers?: Record<string, string> }> {
  const rewardId = Number((body as { rewardId?: unknown } | null)?.rewardId);
  if (!Number.isInteger(rewardId) || rewardId <= 0) {
    return { status: 400, body: { error: "bad_request", message: "Send { rewardId } as JSON." } };
  }
  if (idempotencyKey !== null && !KEY.test(idempotencyKey)) {
    return {
      status: 400,
      body: { error: "bad_idempotency_key", message: "idempotencyKey must be 8 to 128 letters, digits, '-', '_', '.' or ':'." },
    };
  }
  const wait = tooManyAttempts(`${shop}|${customerShopifyId}`);
  if (wait > 0) {
    return {
      status: 429,
      body: { error: "too_many_attempts", message: "Too many tries. Wait a moment and try again." },
      headers: { "Retry-After": String(wait) },
    };
  }
  const key = idempotencyKey ?? `derived:${rewardId}:${Math.floor(Date.now() / 10_000)}`;
  const result = await redeem({ shop, customerShopifyId, rewardId, idempotencyKey: key });
  if (!result.ok) {
    const status = REDEEM_FAILURE_STATUS[result.error];
    return {
      status,
      body: { error: result.error, message: result.message, points: result.points },
      headers: status === 503 ? { "Retry-After": "5" } : undefined,
    };
  }
  return { status: 200, body: redeemedBody(result) };
}

/** The tier the member holds now (kept current on every order and refund by orders.server.ts). */
function currentTier(program: Program, tierName: string | null): Tier | null {
  if (!program.tiersEnabled || !tierName) return null;
  return program.tiers.find((t) => t.name === tierName) ?? null;
}

export type OrderEstimate = {
  /** What this order earns the buyer: 0 for a guest, who earns nothing until they have an account. */
  points: number;
  /** What the same order would earn a member at the base rate: what a guest is missing out on. */
  memberPoints: number;
  member: boolean;
  tier: { name: string; multiplier: number } | null;
};

/** The points an order of this subtotal (after discounts, in cents) earns under the shop's program. */
export async function estimateOrderPoints(
  shop: string,
  customerShopifyId: string | null,
  subtotalCents: number,
  db: Db = defaultDb,
): Promise<OrderEstimate> {
  const [program, member] = await Promise.all([
    loadProgram(db, shop),
    customerShopifyId ? findMember(db, shop, customerShopifyId) : null,
  ]);
  const tier = currentTier(program, member?.tier ?? null);
  const points = pointsForOrder({ subtotalCents, test: false, customerShopifyId }, program, tier);
  // The same rule for "any member at the base rate": a stand-in id, since guests earn nothing.
  const memberPoints = pointsForOrder(
    { subtotalCents, test: false, customerShopifyId: customerShopifyId ?? "member" },
    program,
    null,
  );
  return {
    points,
    memberPoints,
    member: Boolean(customerShopifyId),
    tier: tier ? { name: tier.name, multiplier: tier.multiplier } : null,
  };
}

export type OrderPoints = {
  orderId: string;
  orderName: string | null;
  /** Points the order earned when it was paid. */
  earned: number;
  /** Points refunds and a cancellation took back (what the balance floor let them take). */
  clawedBack: number;
  /** earned − clawedBack: what the order is worth to the member now. */
  net: number;
};

/**
 * The points one order earned, only when the order belongs to this customer of this shop: any
 * other order, recorded or not, is simply not found (no hint that it exists).
 */
export async function pointsOfOrder(
  shop: string,
  customerShopifyId: string,
  orderShopifyId: string,
  db: Db = defaultDb,
): Promise<OrderPoints | null> {
  const order = await db.order.findFirst({
    where: { shop, shopifyId: orderShopifyId, customer: { shop, shopifyId: customerShopifyId } },
    select: { id: true, shopifyId: true, name: true, customerId: true },
  });
  if (!order) return null;
  const sums = await db.ledgerEntry.groupBy({
    by: ["kind"],
    where: { shop, orderId: order.id, customerId: order.customerId! },
    _sum: { delta: true },
  });
  const sum = (kinds: string[]) => sums.filter((s) => kinds.includes(s.kind)).reduce((t, s) => t + (s._sum.delta ?? 0), 0);
  const earned = sum(["earn"]);
  const clawedBack = -sum(["refund", "cancel"]);
  return { orderId: order.shopifyId, orderName: order.name, earned, clawedBack, net: earned - clawedBack };
}
