// Points into a single-use discount code or into Shopify store credit, as one idempotent operation
// (docs/loyalty-rules.md, ADRs 0019 and 0033; the store-credit step is redemption-store-credit.server.ts).
//
// 1. One transaction: the Redemption row (pending, unique per shop + idempotency key) and the
//    ledger debit, under a balance check that holds under concurrency: the row insert is the
//    transaction's first statement (on SQLite it takes the one write lock, so the balance read
//    after it is current), and `lockedBalance` locks the customer row on PostgreSQL. Not enough
//    points rolls both back. No balance ever goes below zero.
// 2. Outside any transaction (a slow Shopify must not hold locks): create the code (or credit) in Shopify.
// 3. Issued → the row gets the code's Shopify id (or the credit's transaction id). Refused, timed
//    out or unreachable → one compensating ledger entry gives the points back and the row is
//    marked failed — for store credit only once Shopify is known not to have credited.
//
// The same idempotency key returns the same code. A failed attempt retires its key, so the
// shopper's retry (the widget resends the key after a 5xx) is a fresh attempt; every attempt
// has its own ledger pair (`redemption:<id>:spend` / `redemption:<id>:refund`, the id being the
// attempt's Redemption row, itself unique by key), so none can spend or refund twice.
import { db, type Tx } from "../db.server";
import { execute, query } from "../db/sql.server";
import { log } from "../log.server";
import {
  adminFor,
  createRewardCode,
  DiscountRefused,
  newRewardCode,
  ShopifyUnavailable,
  type CallOptions,
} from "../shopify/discounts.server";
import type { OrderRecord } from "./records";
import { appendEntries, appendEntry, lockedBalance, type NewLedgerEntry } from "./ledger.server";
import { recordRewardRedeemed } from "./flow-events.server";
import { combinesWith } from "./program";
import { loadProgram } from "./program.server";
import { findActiveReward, rewardDiscount } from "./rewards.server";
import { creditForRedemption, pendingCreditNotMade, settleCredit, type CreditAttempt } from "./redemption-store-credit.server";
import {
  balanceOf,
  EXPIRED_REASON,
  giveBack,
  REFUSED_REASON,
  UNAVAILABLE_REASON,
  type RedeemFailure,
} from "./redemption-outcomes.server";
import { shopFacts } from "../shops/facts.server";
import { config } from "../config.server";

const DAY_MS = 24 * 3600 * 1000;
/** A pending attempt older than this was abandoned (a crash between debit and Shopify's answer). */
export const STALE_PENDING_MS = 10 * 60 * 1000;
/** How long a repeat waits for the first request with its key to finish. */
const repeatWaitMs = () => config().SHOPIFY_ADMIN_TIMEOUT_MS + 2000;

export {
  CREDIT_REFUSED_REASON,
  EXPIRED_REASON,
  REFUSED_REASON,
  UNAVAILABLE_REASON,
  type RedeemFailure,
} from "./redemption-outcomes.server";

export type RedeemInput = {
  shop: string;
  customerShopifyId: string;
  rewardId: number;
  idempotencyKey: string;
  now?: Date;
  shopify?: CallOptions;
};

export type Redeemed = {
  ok: true;
  redemptionId: number;
  pointsSpent: number;
  points: number;
  /** when the code (or the store credit) stops working; null: never */
  expiresAt: string | null;
  /** true when this answers a repeat of an earlier request with the same key */
  repeated: boolean;
} & (
  | { code: string; storeCredit?: undefined }
  /** store credit: a decimal amount in the shop's currency, now in the shopper's Shopify account */
  | { code?: undefined; storeCredit: { amount: string; currency: string } }
);

/** What every redeeming surface answers on success: the code, or the store credit instead. */
export function redeemedBody(r: Redeemed) {
  const common = { pointsSpent: r.pointsSpent, points: r.points, expiresAt: r.expiresAt };
  return r.storeCredit ? { storeCredit: r.storeCredit, ...common } : { code: r.code, ...common };
}

const creditOf = (row: { creditCents: number | null; creditCurrency: string | null }) => ({
  amount: ((row.creditCents ?? 0) / 100).toFixed(2),
  currency: row.creditCurrency ?? "",
});

export type RedeemResult = Redeemed | RedeemFailure;

/** The HTTP status each failure is answered with, on every surface that redeems. */
export const REDEEM_FAILURE_STATUS: Record<RedeemFailure["error"], number> = {
  unknown_reward: 404,
  not_enough_points: 409,
  in_progress: 503,
  shopify_unavailable: 503,
  shopify_refused: 502,
};

class NotEnoughPoints extends Error {
  constructor(readonly balance: number) {
    super("not enough points");
  }
}

/** Keys are the shopper's; scoping them by customer means one shopper's key never finds another's redemption. */
const storedKey = (customerId: number, key: string) => `c${customerId}:${key}`;

export async function redeem(input: RedeemInput): Promise<RedeemResult> {
  const { shop, customerShopifyId, rewardId } = input;
  const now = input.now ?? new Date();
  const reward = await findActiveReward(shop, rewardId);
  if (!reward)
    return { ok: false, error: "unknown_reward", message: "This reward does not exist or is no longer offered.", points: 0 };
  const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } } });
  if (!customer || customer.redactedAt) {
    return { ok: false, error: "not_enough_points", message: "Not enough points for this reward.", points: 0 };
  }
  const key = storedKey(customer.id, input.idempotencyKey);

  const existing = await db.redemption.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey: key } } });
  if (existing) return repeat(existing.id);

  const settings = await loadProgram(db, shop);
  const credit = reward.kind === "store_credit";
  const code = credit ? null : newRewardCode();
  const expiryDays = credit ? (reward.creditExpiryDays ?? 0) : settings.codeExpiryDays;
  const expiresAt = expiryDays > 0 ? new Date(now.getTime() + expiryDays * DAY_MS) : null;
  const creditCurrency = credit ? (await shopFacts(shop)).currency : null;
  const creditCents = credit ? reward.valueCents : null;

  let redemptionId: number;
  let pointsAfter: number;
  try {
    const spent = await db.$transaction(
      async (tx) => {
        // First statement, and a write: on SQLite this takes the database's write lock, so what
        // follows reads the latest committed balance; a concurrent repeat of the key waits here.
        const rows = await query<{ id: number }>(
          tx,
          `INSERT INTO "Redemption" ("shop", "customerId", "rewardId", "pointsSpent", "status", "code", "expiresAt", "idempotencyKey", "creditCents", "creditCurrency", "createdAt", "updatedAt")
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT ("shop", "idempotencyKey") DO NOTHING
         RETURNING "id"`,
          [shop, customer.id, reward.id, reward.pointsCost, code, expiresAt, key, creditCents, creditCurrency, now, now],
        );
        if (!rows[0]) return null;
        const id = Number(rows[0].id);
        const balance = await lockedBalance(tx, customer.id);
        if (balance < reward.pointsCost) throw new NotEnoughPoints(balance);
        await appendEntry(tx, {
          shop,
          customerId: customer.id,
          delta: -reward.pointsCost,
          kind: "redeem",
          reason: `Reward: ${reward.name}`,
          redemptionId: id,
          idempotencyKey: `redemption:${id}:spend`,
        });
        await recordRewardRedeemed(tx, {
          shop,
          customerShopifyId,
          redemptionId: id,
          reward,
          balance: balance - reward.pointsCost,
        });
        return { id, balance: balance - reward.pointsCost };
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
    if (!spent) {
      const raced = await db.redemption.findUniqueOrThrow({ where: { shop_idempotencyKey: { shop, idempotencyKey: key } } });
      return repeat(raced.id);
    }
    redemptionId = spent.id;
    pointsAfter = spent.balance;
  } catch (error) {
    if (error instanceof NotEnoughPoints) {
      return { ok: false, error: "not_enough_points", message: "Not enough points for this reward.", points: error.balance };
    }
    throw error;
  }

  if (credit) {
    const attempt: CreditAttempt = {
      id: redemptionId,
      shop,
      customerShopifyId,
      creditCents: creditCents!,
      currency: creditCurrency!,
      expiresAt,
      createdAt: now,
    };
    const outcome = await creditForRedemption(attempt, input.shopify);
    const settled = await settleCredit(attempt, outcome, reward.id, customer.id);
    if (!settled.ok) return settled;
    return {
      ok: true,
      redemptionId,
      storeCredit: creditOf({ creditCents, creditCurrency }),
      pointsSpent: reward.pointsCost,
      points: pointsAfter,
      expiresAt: expiresAt?.toISOString() ?? null,
      repeated: false,
    };
  }

  try {
    const admin = await adminFor(shop);
    const created = await createRewardCode(
      admin,
      {
        code: code!,
        title: `Regulars reward · ${reward.name} · #${redemptionId}`,
        customerShopifyId,
        reward: rewardDiscount(reward),
        startsAt: now,
        endsAt: expiresAt,
        combinesWith: combinesWith(settings),
      },
      input.shopify,
    );
    const marked = await db.redemption.updateMany({
      where: { id: redemptionId, status: "pending" },
      data: { status: "issued", discountId: created.discountId },
    });
    if (marked.count === 0) {
      // The stale-attempt sweep gave up on this one meanwhile (and gave the points back).
      log.warn("redemption.issued_after_give_up", { shop, redemptionId, discountId: created.discountId });
      return {
        ok: false,
        error: "shopify_unavailable",
        message: "Shopify answered too late; your points were returned.",
        points: await balanceOf(customer.id),
      };
    }
    log.info("redemption.issued", { shop, redemptionId, rewardId: reward.id, pointsSpent: reward.pointsCost });
    return {
      ok: true,
      redemptionId,
      code: code!,
      pointsSpent: reward.pointsCost,
      points: pointsAfter,
      expiresAt: expiresAt?.toISOString() ?? null,
      repeated: false,
    };
  } catch (error) {
    const refused = error instanceof DiscountRefused;
    if (!refused && !(error instanceof ShopifyUnavailable))
      log.error("redemption.unexpected_error", { shop, redemptionId, error: String(error) });
    await giveBack(redemptionId, refused ? REFUSED_REASON : UNAVAILABLE_REASON, String(error));
    log.warn("redemption.failed", { shop, redemptionId, refused, error: String(error) });
    return {
      ok: false,
      error: refused ? "shopify_refused" : "shopify_unavailable",
      message: refused
        ? "Shopify could not create your code. Your points were returned."
        : "Shopify is not answering right now. Your points were returned; please try again in a minute.",
      points: await balanceOf(customer.id),
    };
  }
}

/** The answer to a repeated key: the same code once the first request has one. */
async function repeat(redemptionId: number): Promise<RedeemResult> {
  const deadline = Date.now() + repeatWaitMs();
  for (;;) {
    const row = await db.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
    const points = await balanceOf(row.customerId);
    if (row.status === "issued" || row.status === "used" || row.status === "expired") {
      const common = {
        ok: true as const,
        redemptionId: row.id,
        pointsSpent: row.pointsSpent,
        points,
        expiresAt: row.expiresAt?.toISOString() ?? null,
        repeated: true,
      };
      return row.code ? { ...common, code: row.code } : { ...common, storeCredit: creditOf(row) };
    }
    if (row.status === "failed") {
      return {
        ok: false,
        error: "shopify_unavailable",
        message: "That attempt failed and your points were returned; please try again.",
        points,
      };
    }
    if (Date.now() > deadline) {
      return { ok: false, error: "in_progress", message: "Your reward is still being created; try again in a moment.", points };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * orders/paid: the redemptions whose codes the orders used are `used`, in one statement for the
 * whole batch. Shopify treats codes case-insensitively; ours are upper case.
 */
export async function markRedemptionsUsed(tx: Tx, shop: string, orders: Pick<OrderRecord, "shopifyId" | "discountCodes">[]) {
  const byCode = new Map<string, string>();
  for (const order of orders) for (const code of order.discountCodes) byCode.set(code.trim().toUpperCase(), order.shopifyId);
  if (byCode.size === 0) return 0;
  const pairs = [...byCode];
  return execute(
    tx,
    `UPDATE "Redemption" SET "status" = 'used',
       "usedOrderId" = CASE "code" ${pairs.map(() => "WHEN ? THEN ?").join(" ")} END,
       "updatedAt" = ?
     WHERE "shop" = ? AND "status" = 'issued' AND "code" IN (${pairs.map(() => "?").join(", ")})`,
    [...pairs.flat(), new Date(), shop, ...pairs.map(([code]) => code)],
  );
}

/**
 * Unused codes past their end become `expired`; their points come back when the shop chooses
 * so (restorePointsOnExpiry). Attempts left pending by a crash are failed and refunded.
 * Idempotent: each step is conditional on the row's status and every refund has its own key.
 */
export async function expireRedemptions(
  now: Date = new Date(),
  limit = 500,
): Promise<{ expired: number; restored: number; abandoned: number }> {
  let expired = 0;
  let restored = 0;
  const due = await db.redemption.findMany({
    // codes only: store credit expires in Shopify, and once credited it is the shopper's money
    where: { status: "issued", expiresAt: { lte: now }, code: { not: null } },
    select: { id: true, shop: true },
    orderBy: { id: "asc" },
    take: limit,
  });
  for (const shop of new Set(due.map((r) => r.shop))) {
    const ids = due.filter((r) => r.shop === shop).map((r) => r.id);
    const settings = await loadProgram(db, shop);
    await db.$transaction(
      async (tx) => {
        const rows = await query<{ id: number; customerId: number; pointsSpent: number }>(
          tx,
          `UPDATE "Redemption" SET "status" = 'expired', "updatedAt" = ?
         WHERE "id" IN (${ids.map(() => "?").join(", ")}) AND "status" = 'issued'
         RETURNING "id", "customerId", "pointsSpent"`,
          [now, ...ids],
        );
        expired += rows.length;
        if (!settings.restorePointsOnExpiry) return;
        const entries: NewLedgerEntry[] = rows.map((r) => ({
          shop,
          customerId: Number(r.customerId),
          delta: Number(r.pointsSpent),
          kind: "redeem",
          reason: EXPIRED_REASON,
          redemptionId: Number(r.id),
          idempotencyKey: `redemption:${r.id}:expired`,
        }));
        restored += (await appendEntries(tx, entries)).length;
      },
      { timeout: 30_000 },
    );
  }

  const abandoned = await db.redemption.findMany({
    where: { status: "pending", createdAt: { lt: new Date(now.getTime() - STALE_PENDING_MS) } },
    take: limit,
  });
  let gaveUp = 0;
  for (const row of abandoned) {
    if (row.creditCents !== null && !(await pendingCreditNotMade(row))) continue;
    if (await giveBack(row.id, UNAVAILABLE_REASON, "abandoned: no answer from Shopify was recorded")) gaveUp++;
  }
  if (expired || gaveUp) log.info("redemption.expiry_sweep", { expired, restored, abandoned: gaveUp });
  return { expired, restored, abandoned: gaveUp };
}
