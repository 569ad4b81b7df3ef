// The Shopify step of a store-credit redemption (redemption.server.ts spends the points first and
// settles the attempt with what this returns; ADR 0033).
//
// The credit is money in the shopper's account, so an attempt must never end with both the credit
// and the points back. Shopify's `storeCreditAccountCredit` takes no idempotency key, so when the
// answer is lost (a timeout, a 5xx, a dropped connection) Shopify may or may not have credited.
// Before anything is given back we look: the customer's credit transactions since the attempt
// began, for one with this attempt's amount, currency and expiry that no other redemption holds.
// Found → the attempt is issued with it. Not there → nothing was credited; points may come back.
// Shopify unreachable for the look too → undecided: the attempt stays pending and the sweep looks
// again later (never refunds blind). Each credit backs at most one redemption (a unique index),
// so two attempts cannot both claim one credit.
import { db } from "../db.server";
import { log } from "../log.server";
import { adminFor, ShopifyUnavailable, type AdminGraphql, type CallOptions } from "../shopify/discounts.server";
import { creditStoreCredit, decimalAmount, recentCredits, StoreCreditRefused } from "../shopify/store-credit.server";
import { balanceOf, CREDIT_REFUSED_REASON, giveBack, UNAVAILABLE_REASON, type RedeemFailure } from "./redemption-outcomes.server";

/** Clock difference allowed between us and Shopify when looking for an attempt's credit. */
const CLOCK_SKEW_MS = 60_000;

export type CreditAttempt = {
  id: number;
  shop: string;
  customerShopifyId: string;
  creditCents: number;
  currency: string;
  expiresAt: Date | null;
  createdAt: Date;
};

export type CreditOutcome =
  | { status: "issued"; transactionId: string }
  /** Shopify said no: nothing was credited. */
  | { status: "refused"; error: string }
  /** Certainly nothing credited (throttled, no session, or looked and found none). */
  | { status: "not_credited"; error: string }
  /** The answer was lost and the look failed too: leave the attempt pending. */
  | { status: "undecided"; error: string }
  /** The attempt was settled elsewhere meanwhile (the sweep gave up on it). */
  | { status: "settled_elsewhere"; transactionId: string | null };

/** Credits the customer for a pending store-credit attempt and settles what happened. */
export async function creditForRedemption(attempt: CreditAttempt, options?: CallOptions): Promise<CreditOutcome> {
  let admin: AdminGraphql;
  try {
    admin = await adminFor(attempt.shop);
  } catch (error) {
    return { status: "not_credited", error: String(error) };
  }
  try {
    const issued = await creditStoreCredit(
      admin,
      {
        customerShopifyId: attempt.customerShopifyId,
        amountCents: attempt.creditCents,
        currency: attempt.currency,
        expiresAt: attempt.expiresAt,
      },
      options,
    );
    const claimed = await claim(attempt.id, issued.transactionId);
    if (claimed === "issued") return { status: "issued", transactionId: issued.transactionId };
    if (claimed === "settled") {
      log.warn("redemption.credit_after_give_up", {
        shop: attempt.shop,
        redemptionId: attempt.id,
        transactionId: issued.transactionId,
      });
      return { status: "settled_elsewhere", transactionId: issued.transactionId };
    }
    // Another attempt found our credit while looking for its own lost one: that attempt holds
    // this credit, so ours is the one that was never made. Look for it like any lost answer.
    return await reconcile(admin, attempt, options);
  } catch (error) {
    if (error instanceof StoreCreditRefused) return { status: "refused", error: error.message };
    // THROTTLED (the whole budget) and no session mean the mutation never ran.
    if (error instanceof ShopifyUnavailable && (error.reason === "throttled" || error.reason === "no_session"))
      return { status: "not_credited", error: error.message };
    log.warn("redemption.credit_answer_lost", { shop: attempt.shop, redemptionId: attempt.id, error: String(error) });
    return reconcile(admin, attempt, options, String(error));
  }
}

/**
 * After a lost answer: is there a credit of this attempt's amount, currency and expiry, made since
 * it began, that no redemption holds? Claim it. Two lost answers of the same amount at once each
 * find the credits there are; how many attempts end issued always equals how many credits exist.
 */
export async function reconcile(
  admin: AdminGraphql | null,
  attempt: CreditAttempt,
  options?: CallOptions,
  cause = "the answer was lost",
): Promise<CreditOutcome> {
  let found;
  try {
    admin ??= await adminFor(attempt.shop);
    found = await recentCredits(admin, attempt.customerShopifyId, new Date(attempt.createdAt.getTime() - CLOCK_SKEW_MS), options);
  } catch (error) {
    log.warn("redemption.credit_undecided", { shop: attempt.shop, redemptionId: attempt.id, error: String(error) });
    return { status: "undecided", error: `${cause}; looking for the credit failed: ${String(error)}` };
  }
  const amount = decimalAmount(attempt.creditCents);
  const expiry = attempt.expiresAt?.getTime() ?? null;
  const candidates = found
    .filter(
      (t) =>
        Number(t.amount) === Number(amount) &&
        t.currency === attempt.currency &&
        (t.expiresAt === null ? null : Date.parse(t.expiresAt)) === expiry,
    )
    .reverse(); // oldest first: the credit closest to when this attempt began
  if (candidates.length > 0) {
    const held = new Set(
      (
        await db.redemption.findMany({
          where: { shop: attempt.shop, storeCreditTransactionId: { in: candidates.map((c) => c.id) } },
          select: { storeCreditTransactionId: true },
        })
      ).map((r) => r.storeCreditTransactionId),
    );
    for (const candidate of candidates.filter((c) => !held.has(c.id))) {
      const claimed = await claim(attempt.id, candidate.id);
      if (claimed === "issued") {
        log.info("redemption.credit_found", { shop: attempt.shop, redemptionId: attempt.id, transactionId: candidate.id });
        return { status: "issued", transactionId: candidate.id };
      }
      if (claimed === "settled") return { status: "settled_elsewhere", transactionId: null };
    }
  }
  return { status: "not_credited", error: `${cause}; Shopify has no credit for this attempt` };
}

/** Marks a pending attempt issued with its credit; "taken" when another redemption holds that credit. */
async function claim(redemptionId: number, transactionId: string): Promise<"issued" | "taken" | "settled"> {
  try {
    const marked = await db.redemption.updateMany({
      where: { id: redemptionId, status: "pending" },
      data: { status: "issued", storeCreditTransactionId: transactionId },
    });
    return marked.count === 1 ? "issued" : "settled";
  } catch (error) {
    // Prisma's unique-constraint error, from either dialect's client (two generated classes).
    if ((error as { code?: unknown }).code === "P2002") return "taken";
    throw error;
  }
}

/** A store-credit attempt after Shopify: issued, failed with the points back, or left pending. */
export async function settleCredit(
  attempt: CreditAttempt,
  outcome: CreditOutcome,
  rewardId: number,
  customerId: number,
): Promise<{ ok: true } | RedeemFailure> {
  const { shop, id: redemptionId } = attempt;
  switch (outcome.status) {
    case "issued":
      log.info("redemption.credited", { shop, redemptionId, rewardId, transactionId: outcome.transactionId });
      return { ok: true };
    case "refused":
    case "not_credited": {
      const refused = outcome.status === "refused";
      await giveBack(redemptionId, refused ? CREDIT_REFUSED_REASON : UNAVAILABLE_REASON, outcome.error);
      log.warn("redemption.failed", { shop, redemptionId, refused, error: outcome.error });
      return {
        ok: false,
        error: refused ? "shopify_refused" : "shopify_unavailable",
        message: refused
          ? "Shopify could not add the store credit. Your points were returned."
          : "Shopify is not answering right now. Your points were returned; please try again in a minute.",
        points: await balanceOf(customerId),
      };
    }
    case "undecided":
      // Shopify may have credited: the points stay spent until the sweep finds out (never refund blind).
      return {
        ok: false,
        error: "in_progress",
        message: "Shopify has not confirmed your store credit yet. Check again in a few minutes.",
        points: await balanceOf(customerId),
      };
    case "settled_elsewhere":
      return {
        ok: false,
        error: "shopify_unavailable",
        message: "Shopify answered too late; your points were returned.",
        points: await balanceOf(customerId),
      };
  }
}

/**
 * The sweep, for a store-credit attempt left pending: true only when Shopify shows no credit for
 * it (then the points may come back). Found → it is issued now; Shopify unreachable → it stays pending.
 */
export async function pendingCreditNotMade(row: {
  id: number;
  shop: string;
  customerId: number;
  creditCents: number | null;
  creditCurrency: string | null;
  expiresAt: Date | null;
  createdAt: Date;
}): Promise<boolean> {
  const customer = await db.customer.findUnique({ where: { id: row.customerId }, select: { shopifyId: true } });
  if (!customer) return true;
  const outcome = await reconcile(null, {
    id: row.id,
    shop: row.shop,
    customerShopifyId: customer.shopifyId,
    creditCents: row.creditCents ?? 0,
    currency: row.creditCurrency ?? "",
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  });
  return outcome.status === "not_credited";
}
