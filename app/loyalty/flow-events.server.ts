// Shopify Flow triggers (ADR 0032): points earned, tier changed, points expiring, reward redeemed.
//
// Only for shops that use them: Flow's lifecycle callback says which triggers a shop has an
// enabled workflow for (FlowTriggerUse). A fact of a used trigger is recorded as a FlowEvent in
// the transaction that commits the fact, keyed by the fact (unique per shop), so a webhook
// redelivery or a second run records nothing new. A background task sends the events after
// commit with flowTriggerReceive, at least once: one a sender crashed on after Shopify took it is
// sent again. A reward's event waits until its code exists and is dropped if it never does.
import { db, type Tx } from "../db.server";
import { query, valuesList } from "../db/sql.server";
import { log } from "../log.server";
import {
  FLOW_TRIGGERS,
  FlowTriggerRefused,
  fireFlowTrigger,
  lifecycleCallback,
  lifecycleSignatureValid,
  type LifecycleCallback,
} from "../shopify/flow.server";
import { ShopifyCallFailed, ShopifyThrottled, waitForBudgetMs, type AdminGraphql } from "../shopify/graphql-budget.server";
import { pointsExpiringEvent, rewardRedeemedEvent, type NewFlowEvent } from "./flow-payloads";

export { FLOW_TRIGGERS } from "../shopify/flow.server";

const MAX_RETRY_MS = 3_600_000;
const MAX_ATTEMPTS = 12; // about a day of retries; then the event is kept, marked, and not sent

/** The triggers a shop has an enabled workflow for. */
export async function usedTriggers(tx: Tx | typeof db, shop: string): Promise<Set<string>> {
  const rows = await query<{ trigger: string }>(tx, `SELECT "trigger" FROM "FlowTriggerUse" WHERE "shop" = ? AND "enabled"`, [
    shop,
  ]);
  return new Set(rows.map((r) => r.trigger));
}

/** Records the events of triggers the shop uses (others are dropped here); a key seen before records nothing. */
export async function recordFlowEvents(tx: Tx, events: NewFlowEvent[], used?: Set<string>, now = new Date()) {
  if (events.length === 0) return 0;
  const shops = [...new Set(events.map((e) => e.shop))];
  const usedBy = new Map<string, Set<string>>();
  for (const shop of shops) usedBy.set(shop, used && shops.length === 1 ? used : await usedTriggers(tx, shop));
  const kept = events.filter((e) => usedBy.get(e.shop)!.has(e.trigger));
  if (kept.length === 0) return 0;
  const rows = await query<{ id: number }>(
    tx,
    `INSERT INTO "FlowEvent" ("shop", "trigger", "dedupeKey", "payload", "redemptionId", "createdAt", "nextAttemptAt", "attempts")
     VALUES ${valuesList(kept.length, 8)}
     ON CONFLICT ("shop", "dedupeKey") DO NOTHING RETURNING "id"`,
    kept.flatMap((e) => [e.shop, e.trigger, e.dedupeKey, JSON.stringify(e.payload), e.redemptionId ?? null, now, now, 0]),
  );
  return rows.length;
}

/** Reward redeemed, recorded with the points spent (app/loyalty/redemption.server.ts). */
export async function recordRewardRedeemed(tx: Tx, e: Parameters<typeof rewardRedeemedEvent>[0]) {
  await recordFlowEvents(tx, [rewardRedeemedEvent(e)]);
}

export { pointsEarnedEvent, tierChangedEvent } from "./flow-payloads";

/** Reminders that just became due (app/loyalty/expiry-reminders.server.ts), in their transaction. */
export async function recordExpiryReminders(
  tx: Tx,
  shop: string,
  due: Array<{ customerId: number; expiresOn: string; points: number }>,
) {
  if (due.length === 0) return;
  const used = await usedTriggers(tx, shop);
  if (!used.has(FLOW_TRIGGERS.pointsExpiring)) return;
  const customers = new Map(
    (
      await tx.customer.findMany({
        where: { id: { in: due.map((d) => Number(d.customerId)) } },
        select: { id: true, shopifyId: true, tier: true },
      })
    ).map((c) => [c.id, c]),
  );
  await recordFlowEvents(
    tx,
    due
      .filter((d) => customers.has(Number(d.customerId)))
      .map((d) =>
        pointsExpiringEvent(shop, customers.get(Number(d.customerId))!, { points: Number(d.points), expiresOn: d.expiresOn }),
      ),
    used,
  );
}

/**
 * Flow's lifecycle callback: whether the shop has an enabled workflow using one of our triggers.
 * A notification older than the one recorded changes nothing (Flow may deliver out of order).
 */
export async function recordTriggerUse(callback: LifecycleCallback): Promise<"recorded" | "stale" | "unknown_trigger"> {
  const trigger = callback.flow_trigger_definition_id;
  if (!(Object.values(FLOW_TRIGGERS) as string[]).includes(trigger)) return "unknown_trigger";
  const shop = callback.shopify_domain;
  const changedAt = new Date(callback.timestamp);
  const existing = await db.flowTriggerUse.findUnique({ where: { shop_trigger: { shop, trigger } } });
  if (existing && existing.changedAt > changedAt) return "stale";
  await db.flowTriggerUse.upsert({
    where: { shop_trigger: { shop, trigger } },
    create: { shop, trigger, enabled: callback.has_enabled_flow, changedAt },
    update: { enabled: callback.has_enabled_flow, changedAt },
  });
  log.info("flow.trigger_use", { shop, trigger, enabled: callback.has_enabled_flow });
  return "recorded";
}

/**
 * POST /flow/lifecycle: Flow tells whether a shop has an enabled workflow with one of our
 * triggers. Signed like a webhook; a bad signature is 401, a body that is not the callback 400.
 * An unknown trigger is answered 200 (a non-2xx would stop the merchant enabling the workflow).
 */
export async function receiveTriggerLifecycle(
  rawBody: string,
  hmac: string | null,
  secret: string,
): Promise<{ status: 200 | 400 | 401; reason: string }> {
  if (!lifecycleSignatureValid(rawBody, hmac, secret)) return { status: 401, reason: "invalid_signature" };
  let parsed: LifecycleCallback;
  try {
    const result = lifecycleCallback.safeParse(JSON.parse(rawBody));
    if (!result.success) return { status: 400, reason: "invalid_callback" };
    parsed = result.data;
  } catch {
    return { status: 400, reason: "invalid_json" };
  }
  const outcome = await recordTriggerUse(parsed);
  if (outcome === "unknown_trigger")
    log.warn("flow.unknown_trigger", { shop: parsed.shopify_domain, trigger: parsed.flow_trigger_definition_id });
  return { status: 200, reason: outcome };
}

export type FlowSendOptions = {
  adminFor: (shop: string) => Promise<AdminGraphql>;
  timeoutMs: number;
  batch?: number;
  now?: () => Date;
};
export type FlowSendResult = { sent: number; refused: number; throttled: number; failed: number; dropped: number };

/** One run of the background task: sends due events, oldest first. Never throws. */
export async function sendFlowEvents(options: FlowSendOptions): Promise<FlowSendResult> {
  const now = options.now ?? (() => new Date());
  const result: FlowSendResult = { sent: 0, refused: 0, throttled: 0, failed: 0, dropped: 0 };
  const events = await db.flowEvent.findMany({
    where: { sentAt: null, nextAttemptAt: { lte: now() }, attempts: { lt: MAX_ATTEMPTS } },
    orderBy: { id: "asc" },
    take: options.batch ?? 100,
  });
  const skip = new Set<string>(); // shops throttled, failing or without a session in this run
  const admins = new Map<string, AdminGraphql>();
  for (const event of events) {
    if (skip.has(event.shop)) continue;
    if (event.redemptionId !== null) {
      const redemption = await db.redemption.findUnique({ where: { id: event.redemptionId }, select: { status: true } });
      if (redemption?.status === "pending") continue; // the code is still being made
      if (!redemption || redemption.status === "failed") {
        await db.flowEvent.delete({ where: { id: event.id } }); // never redeemed: the points came back
        result.dropped++;
        continue;
      }
    }
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    const customer = await db.customer.findUnique({
      where: { shop_shopifyId: { shop: event.shop, shopifyId: String(payload.customer_id) } },
      select: { redactedAt: true },
    });
    if (customer?.redactedAt) {
      await db.flowEvent.delete({ where: { id: event.id } }); // erased on the shop's request: no workflow about them
      result.dropped++;
      continue;
    }
    let admin = admins.get(event.shop);
    if (!admin) {
      try {
        const shop = await db.shop.findUnique({ where: { domain: event.shop }, select: { uninstalledAt: true } });
        if (shop?.uninstalledAt) {
          skip.add(event.shop);
          continue;
        }
        admin = await options.adminFor(event.shop);
        admins.set(event.shop, admin);
      } catch (error) {
        log.warn("flow.no_session", { shop: event.shop, error: String(error) });
        skip.add(event.shop);
        continue;
      }
    }
    try {
      const { throttle } = await fireFlowTrigger(admin, event.trigger, payload, options.timeoutMs);
      await db.flowEvent.update({
        where: { id: event.id },
        data: { sentAt: now(), attempts: { increment: 1 }, lastError: null },
      });
      result.sent++;
      if (waitForBudgetMs(throttle, 10) > 0) skip.add(event.shop); // bucket nearly empty: next run
    } catch (error) {
      const throttled = error instanceof ShopifyThrottled;
      const refused = error instanceof FlowTriggerRefused;
      if (throttled) result.throttled++;
      else if (refused) result.refused++;
      else result.failed++;
      if (!throttled && !refused && !(error instanceof ShopifyCallFailed))
        log.error("flow.unexpected_error", { shop: event.shop, error: String(error) });
      const waitMs = throttled ? error.retryAfterMs : Math.min(MAX_RETRY_MS, 5000 * 2 ** event.attempts);
      await db.flowEvent.update({
        where: { id: event.id },
        data: {
          // A refusal will not change by retrying: it is kept for the operator, not sent again.
          attempts: refused ? MAX_ATTEMPTS : throttled ? event.attempts : { increment: 1 },
          nextAttemptAt: new Date(now().getTime() + waitMs),
          lastError: String(error).slice(0, 500),
        },
      });
      log.warn("flow.send_failed", { shop: event.shop, trigger: event.trigger, throttled, refused, error: String(error) });
      if (!refused) skip.add(event.shop);
    }
  }
  if (events.length) log.info("flow.ran", { ...result });
  return result;
}
