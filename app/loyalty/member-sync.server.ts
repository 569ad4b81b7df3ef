// Shopify's copy of each member (ADR 0032): their points and tier as `$app:loyalty` customer
// metafields, for the theme's first paint, Flow and email tools.
//
// The ledger and the tier moves mark a member changed in their own transaction (a MemberSync row's
// `version` goes up); nothing talks to Shopify there. A background task (app/background.server.ts)
// sends what changed: per shop, up to MEMBERS_PER_CALL members in one metafieldsSet, the member's
// values as they are when sent (so a burst of changes is one write, and an older write can never
// land after a newer one). A shop's oldest change waits `debounceMs` first; then all its waiting
// changes go, so the members of one burst of webhooks travel together. THROTTLED pauses the shop until Shopify's bucket has refilled; a failed call
// is tried again later, with a growing wait; a member Shopify refuses waits on its own.
import { db, type Tx } from "../db.server";
import { execute, query, valuesList } from "../db/sql.server";
import { log } from "../log.server";
import { ShopifyCallFailed, ShopifyThrottled, waitForBudgetMs, type AdminGraphql } from "../shopify/graphql-budget.server";
import { FLOW_TRIGGERS, pointsEarnedEvent, recordFlowEvents, tierChangedEvent, usedTriggers } from "./flow-events.server";
import {
  deleteMemberTiers,
  ensureLoyaltyDefinitions,
  MEMBERS_PER_CALL,
  METAFIELDS_SET_COST,
  setMemberMetafields,
  type MemberValues,
} from "../shopify/metafields.server";

const CHUNK = 500;
const MAX_RETRY_MS = 3_600_000;

/** Marks members whose balance or tier changed; their metafields are sent after the transaction commits. */
export async function markMembersChanged(tx: Tx, shop: string, customerIds: number[], now = new Date()) {
  const ids = [...new Set(customerIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await execute(
      tx,
      `INSERT INTO "MemberSync" ("customerId", "shop", "version", "syncedVersion", "dirtySince", "attempts")
       VALUES ${valuesList(chunk.length, 6)}
       ON CONFLICT ("customerId") DO UPDATE SET "version" = "MemberSync"."version" + 1,
         "dirtySince" = COALESCE("MemberSync"."dirtySince", excluded."dirtySince")`,
      chunk.flatMap((id) => [id, shop, 1, 0, now, 0]),
    );
  }
}

type LedgerChange = { shop: string; customerId: number; delta: number; kind: string; reason: string; idempotencyKey: string };

/**
 * What Shopify hears of appended ledger rows, in their transaction (app/loyalty/ledger.server.ts):
 * the members are marked for the metafield sync, and points earned (orders, bonuses) become Flow
 * events where the shop uses that trigger.
 */
export async function shareLedgerChanges(tx: Tx, appended: LedgerChange[]) {
  const moved = appended.filter((e) => e.delta !== 0);
  for (const shop of new Set(moved.map((e) => e.shop))) {
    const ofShop = moved.filter((e) => e.shop === shop);
    await markMembersChanged(
      tx,
      shop,
      ofShop.map((e) => e.customerId),
    );
    const earned = ofShop.filter((e) => e.delta > 0 && (e.kind === "earn" || e.kind === "bonus"));
    if (earned.length === 0) continue;
    const used = await usedTriggers(tx, shop);
    if (!used.has(FLOW_TRIGGERS.pointsEarned)) continue;
    const customers = new Map(
      (
        await tx.customer.findMany({
          where: { id: { in: [...new Set(earned.map((e) => e.customerId))] } },
          select: { id: true, shopifyId: true, pointsBalance: true, tier: true },
        })
      ).map((c) => [c.id, c]),
    );
    await recordFlowEvents(
      tx,
      earned.filter((e) => customers.has(e.customerId)).map((e) => pointsEarnedEvent(shop, customers.get(e.customerId)!, e)),
      used,
    );
  }
}

/** Tier moves (app/loyalty/tiers.server.ts), in their transaction: metafields and the tier-changed trigger. */
export async function shareTierMoves(
  tx: Tx,
  shop: string,
  moves: Array<{ customerId: number; seq: number; from: string | null; to: string | null }>,
  announce = true,
) {
  if (moves.length === 0) return;
  await markMembersChanged(
    tx,
    shop,
    moves.map((m) => m.customerId),
  );
  if (!announce) return;
  const used = await usedTriggers(tx, shop);
  if (!used.has(FLOW_TRIGGERS.tierChanged)) return;
  const customers = new Map(
    (
      await tx.customer.findMany({
        where: { id: { in: moves.map((m) => m.customerId) } },
        select: { id: true, shopifyId: true, pointsBalance: true },
      })
    ).map((c) => [c.id, c]),
  );
  await recordFlowEvents(
    tx,
    moves.filter((m) => customers.has(m.customerId)).map((m) => tierChangedEvent(shop, customers.get(m.customerId)!, m)),
    used,
  );
}

/** Every member of the shop is sent again (after the history import, or when the merchant asks). */
export async function resyncShop(shop: string, now = new Date()): Promise<number> {
  const count = await execute(
    db,
    `INSERT INTO "MemberSync" ("customerId", "shop", "version", "syncedVersion", "dirtySince", "attempts")
     SELECT "id", "shop", 1, 0, ?, 0 FROM "Customer" WHERE "shop" = ? AND "redactedAt" IS NULL
     ON CONFLICT ("customerId") DO UPDATE SET "version" = "MemberSync"."version" + 1,
       "dirtySince" = COALESCE("MemberSync"."dirtySince", excluded."dirtySince"), "attempts" = 0, "nextAttemptAt" = NULL`,
    [now, shop],
  );
  log.info("member_sync.resync_requested", { shop, members: count });
  return count;
}

export type SyncOptions = {
  adminFor: (shop: string) => Promise<AdminGraphql>;
  /** A change waits this long, so the changes of one burst travel together. */
  debounceMs: number;
  timeoutMs: number;
  /** At most this many metafieldsSet calls per shop per run, so one big shop cannot starve the rest. */
  callsPerShop?: number;
  /** Only this shop (tests, support); every shop by default. */
  shop?: string;
  now?: () => Date;
};

export type SyncResult = { members: number; calls: number; refused: number; throttled: number; failed: number };

// Per process: a shop whose bucket is empty is left alone until it refills; definitions are
// ensured once per shop (install creates them; this covers an install whose call failed).
const pausedUntil = new Map<string, number>();
const NO_SESSION_PAUSE_MS = 5 * 60_000;
const definitionsEnsured = new Set<string>();

/** One run of the background task: sends the changed members of every shop. Never throws. */
export async function syncMemberMetafields(options: SyncOptions): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const result: SyncResult = { members: 0, calls: 0, refused: 0, throttled: 0, failed: 0 };
  // A shop is due when its oldest unsent change has waited the debounce; then everything of the
  // shop that is waiting goes, the newest changes too, so one burst is one call.
  const pending = () => ({ dirtySince: { not: null }, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now() } }] });
  const due = () => ({ ...pending(), dirtySince: { lte: new Date(now().getTime() - options.debounceMs) } });
  const shops = await db.memberSync.findMany({
    where: { ...due(), ...(options.shop ? { shop: options.shop } : {}) },
    distinct: ["shop"],
    select: { shop: true },
    take: 100,
  });
  for (const { shop } of shops) {
    if ((pausedUntil.get(shop) ?? 0) > now().getTime()) continue;
    const installed = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
    if (installed?.uninstalledAt) continue; // nothing is sent to a shop that removed the app
    let admin: AdminGraphql;
    try {
      admin = await options.adminFor(shop);
    } catch (error) {
      // No offline session (not installed through OAuth yet, or lost): asking again every tick
      // would only repeat this line; the changes wait, marked, until a session exists.
      pausedUntil.set(shop, now().getTime() + NO_SESSION_PAUSE_MS);
      log.warn("member_sync.no_session", { shop, error: String(error), retryInSeconds: NO_SESSION_PAUSE_MS / 1000 });
      continue;
    }
    if (!definitionsEnsured.has(shop)) {
      await ensureLoyaltyDefinitions(admin, options.timeoutMs).then(
        () => definitionsEnsured.add(shop),
        (error: unknown) => log.warn("member_sync.definitions_failed", { shop, error: String(error) }),
      );
    }
    for (let call = 0; call < (options.callsPerShop ?? 20); call++) {
      const rows = await db.memberSync.findMany({
        where: { shop, ...pending() },
        orderBy: [{ dirtySince: "asc" }, { customerId: "asc" }],
        take: MEMBERS_PER_CALL,
      });
      if (rows.length === 0) break;
      const sent = await sendBatch(admin, shop, rows, options, now, result);
      if (!sent) break;
    }
  }
  if (result.calls || result.failed) log.info("member_sync.ran", { ...result });
  return result;
}

type Row = { customerId: number; version: number; syncedTier: string | null; attempts: number };

/** One metafieldsSet; false when the shop should be left until later (throttled, Shopify failing). */
async function sendBatch(
  admin: AdminGraphql,
  shop: string,
  rows: Row[],
  options: SyncOptions,
  now: () => Date,
  result: SyncResult,
): Promise<boolean> {
  const customers = await db.customer.findMany({
    where: { id: { in: rows.map((r) => r.customerId) } },
    select: { id: true, shopifyId: true, pointsBalance: true, tier: true, redactedAt: true },
  });
  const byId = new Map(customers.map((c) => [c.id, c]));
  const gone = rows.filter((r) => !byId.get(r.customerId) || byId.get(r.customerId)!.redactedAt);
  if (gone.length) await db.memberSync.deleteMany({ where: { customerId: { in: gone.map((r) => r.customerId) } } });
  const live = rows.filter((r) => !gone.includes(r));
  if (live.length === 0) return true;
  const members: MemberValues[] = live.map((r) => {
    const c = byId.get(r.customerId)!;
    return { customerShopifyId: c.shopifyId, points: c.pointsBalance, tier: c.tier };
  });
  try {
    result.calls++;
    const { refused, throttle } = await setMemberMetafields(admin, members, options.timeoutMs);
    const lostTier = live.filter((r, i) => !refused.has(i) && r.syncedTier && !members[i].tier);
    const deleteThrottle = await deleteMemberTiers(
      admin,
      lostTier.map((r) => byId.get(r.customerId)!.shopifyId),
      options.timeoutMs,
    );
    const at = now();
    for (const [i, row] of live.entries()) {
      const reason = refused.get(i);
      if (reason) await retryLater(row, reason, at);
      else await markSynced(row, members[i].tier, at);
    }
    result.members += live.length - refused.size;
    result.refused += refused.size;
    if (refused.size) log.warn("member_sync.refused", { shop, members: refused.size, first: [...refused.values()][0] });
    const wait = waitForBudgetMs(deleteThrottle ?? throttle, METAFIELDS_SET_COST * 2);
    if (wait > 0) {
      pausedUntil.set(shop, at.getTime() + wait);
      return false;
    }
    return true;
  } catch (error) {
    const at = now();
    if (error instanceof ShopifyThrottled) {
      result.throttled++;
      pausedUntil.set(shop, at.getTime() + error.retryAfterMs);
      log.warn("member_sync.throttled", { shop, retryAfterMs: error.retryAfterMs });
      return false;
    }
    result.failed++;
    if (!(error instanceof ShopifyCallFailed)) log.error("member_sync.unexpected_error", { shop, error: String(error) });
    else log.warn("member_sync.failed", { shop, error: error.message });
    for (const row of live) await retryLater(row, String(error), at);
    return false;
  }
}

async function markSynced(row: Row, tier: string | null, at: Date) {
  // A change committed while the call was out raised `version`: the row stays dirty for the next run.
  await execute(
    db,
    `UPDATE "MemberSync" SET "syncedVersion" = ?, "syncedTier" = ?, "syncedAt" = ?, "attempts" = 0,
       "nextAttemptAt" = NULL, "lastError" = NULL,
       "dirtySince" = CASE WHEN "version" = ? THEN NULL ELSE "dirtySince" END
     WHERE "customerId" = ?`,
    [row.version, tier, at, row.version, row.customerId],
  );
}

async function retryLater(row: Row, reason: string, at: Date) {
  const waitMs = Math.min(MAX_RETRY_MS, 5000 * 2 ** row.attempts);
  await db.memberSync.update({
    where: { customerId: row.customerId },
    data: { attempts: { increment: 1 }, nextAttemptAt: new Date(at.getTime() + waitMs), lastError: reason.slice(0, 500) },
  });
}

/** For the status page: members waiting to be sent and members Shopify keeps refusing or failing. */
export async function memberSyncStatus(shop: string) {
  const [pending, retrying] = await Promise.all([
    db.memberSync.count({ where: { shop, dirtySince: { not: null } } }),
    db.memberSync.count({ where: { shop, dirtySince: { not: null }, attempts: { gt: 0 } } }),
  ]);
  const last = await db.memberSync.findFirst({ where: { shop, syncedAt: { not: null } }, orderBy: { syncedAt: "desc" } });
  return { pending, retrying, lastSyncedAt: last?.syncedAt ?? null };
}

/** Shopify's copy as we last wrote it, for tests and support: members whose metafields lag the ledger. */
export async function membersBehind(shop: string) {
  return query<{ customerId: number }>(
    db,
    `SELECT "customerId" FROM "MemberSync" WHERE "shop" = ? AND "syncedVersion" < "version" ORDER BY "customerId"`,
    [shop],
  );
}
