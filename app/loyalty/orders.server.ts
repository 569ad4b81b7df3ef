// Orders in the ledger: paid orders earn, refunds and cancellations take back.
// Every function here is a merge of Shopify's latest state, so deliveries may come twice, late
// or out of order (a refund before its order) and the ledger still ends the same.
import type { Tx } from "../db.server";
import { insertRows, query, timestampValue, type ColumnType } from "../db/sql.server";
import type { OrderRecord, RefundRecord } from "./records";
import { upsertCustomers } from "./membership.server";
import { boundedClawback, clawbackTarget, pointsForOrder } from "./earning";
import { appendEntries, appendEntry, lockedBalance, type NewLedgerEntry } from "./ledger.server";
import { tierForSpend, type Program } from "./program";
import { markRedemptionsUsed } from "./redemption.server";
import { isTakeback, orderBonuses, takebackKey, type PaidOrder } from "./order-bonuses.server";
import { moveTiers, rollingSpend, type TierReason } from "./tiers.server";
import { applyReferrals, lockReferralParties, settleReferral } from "./referrals.server";

/** orders/paid, for one delivery or a batch of them. */
export async function applyPaidOrders(tx: Tx, shop: string, program: Program, orders: OrderRecord[]) {
  // The same order twice in a batch: the later delivery carries the newer state.
  const latest = [...new Map(orders.map((o) => [o.shopifyId, o])).values()];
  await lockReferralParties(tx, shop, program, latest);
  for (const round of roundsByCustomer(latest)) await applyPaidRound(tx, shop, program, round);
  // Reward codes these orders used: their redemptions are `used` (one statement for the batch).
  await markRedemptionsUsed(tx, shop, latest);
}

/** Splits orders so each customer appears once per round: later rounds see earlier balances and tiers. */
function roundsByCustomer(orders: OrderRecord[]): OrderRecord[][] {
  const rounds: OrderRecord[][] = [];
  const seen = new Map<string, number>();
  for (const order of orders) {
    const key = order.customer?.shopifyId;
    const index = key ? (seen.get(key) ?? 0) : 0;
    if (key) seen.set(key, index + 1);
    (rounds[index] ??= []).push(order);
  }
  return rounds;
}

async function applyPaidRound(tx: Tx, shop: string, program: Program, orders: OrderRecord[]) {
  const customerIds = await upsertCustomers(
    tx,
    shop,
    orders.flatMap((o) => (o.customer ? [o.customer] : [])),
  );
  const saved = await upsertOrders(tx, shop, orders, customerIds);
  await upsertRefunds(
    tx,
    shop,
    orders.flatMap((o) => o.refunds),
  );

  const tiers = program.tiersEnabled
    ? await rollingSpend(
        tx,
        shop,
        [...customerIds.values()],
        new Date(),
        [...saved.values()].map((o) => o.id),
      )
    : null;
  const earnings: NewLedgerEntry[] = [];
  const paid: PaidOrder[] = [];
  for (const order of orders) {
    const customerId = order.customer && customerIds.get(order.customer.shopifyId);
    if (!customerId) continue; // guests earn nothing
    paid.push({
      orderId: saved.get(order.shopifyId)!.id,
      shopifyId: order.shopifyId,
      name: order.name,
      customerId,
      customerShopifyId: order.customer!.shopifyId,
    });
    const tier = tiers ? tierForSpend(program, tiers.get(customerId) ?? 0) : null;
    const points = pointsForOrder(
      { subtotalCents: order.subtotalCents, test: order.test, customerShopifyId: order.customer!.shopifyId },
      program,
      tier,
    );
    if (points <= 0) continue;
    earnings.push({
      shop,
      customerId,
      delta: points,
      kind: "earn",
      reason: `Order ${order.name ?? order.shopifyId}${tier ? ` (${tier.name} ×${tier.multiplier})` : ""}`,
      orderId: saved.get(order.shopifyId)!.id,
      idempotencyKey: `order:${order.shopifyId}:earn`,
    });
  }
  // First-order and every-Nth-order bonuses, in the same transaction as the points they go with.
  earnings.push(...(await orderBonuses(tx, shop, program, paid)));
  await appendEntries(tx, earnings);
  // Referral orders pay both sides (referrals.server.ts), in this same transaction.
  await applyReferrals(tx, shop, program, orders, saved, customerIds);

  // Refunds or a cancellation that reached us before (or with) the paid event.
  const withRefunds = await ordersWithRefunds(
    tx,
    shop,
    orders.map((o) => o.shopifyId),
  );
  for (const order of saved.values()) {
    if (order.cancelled || withRefunds.has(order.shopifyId)) await settleOrder(tx, shop, program, order.id);
  }
  if (program.tiersEnabled) await refreshTiers(tx, shop, program, [...customerIds.values()], "order");
}

type SavedOrder = { id: number; shopifyId: string; cancelled: boolean };

const ORDER_COLUMNS: ColumnType[] = [
  "text", "text", "text", "integer", "timestamp", "integer", "integer", "integer",
  "text", "text", "timestamp", "boolean", "text", "timestamp", "timestamp",
]; // prettier-ignore

/**
 * Inserts or merges orders. `keepNewerThan` (the history import): an order already changed at or
 * after that instant holds newer state than the export being imported and is left as it is.
 */
export async function upsertOrders(
  tx: Tx,
  shop: string,
  orders: OrderRecord[],
  customerIds: Map<string, number>,
  options: { keepNewerThan?: Date } = {},
): Promise<Map<string, SavedOrder>> {
  const saved = new Map<string, SavedOrder>();
  if (orders.length === 0) return saved;
  const now = new Date();
  const rows = insertRows(
    ORDER_COLUMNS,
    orders.map((o) => [
      shop,
      o.shopifyId,
      o.name,
      o.customer ? (customerIds.get(o.customer.shopifyId) ?? null) : null,
      o.processedAt,
      o.subtotalCents,
      o.totalCents,
      // A new order starts with the refunds its record carries (they are stored with it); later
      // refunds are summed from the Refund table by settleOrder.
      o.refunds.reduce((sum, r) => sum + r.subtotalCents, 0),
      o.currency,
      o.financialStatus,
      o.cancelledAt,
      o.test,
      o.discountCodes.length ? o.discountCodes.join(",") : null,
      now,
      now,
    ]),
  );
  const keep = options.keepNewerThan ? timestampValue(options.keepNewerThan) : null;
  const written = await query<{ id: number; shopifyId: string; cancelledAt: unknown }>(
    tx,
    `INSERT INTO "Order" ("shop", "shopifyId", "name", "customerId", "processedAt", "subtotalCents", "totalCents",
       "refundedSubtotalCents", "currency", "financialStatus", "cancelledAt", "test", "discountCodes", "createdAt", "updatedAt")
     ${rows.sql}
     ON CONFLICT ("shop", "shopifyId") DO UPDATE SET
       "name" = excluded."name",
       "customerId" = COALESCE(excluded."customerId", "Order"."customerId"),
       "processedAt" = excluded."processedAt",
       "subtotalCents" = excluded."subtotalCents",
       "totalCents" = excluded."totalCents",
       "currency" = excluded."currency",
       "financialStatus" = COALESCE(excluded."financialStatus", "Order"."financialStatus"),
       "cancelledAt" = COALESCE("Order"."cancelledAt", excluded."cancelledAt"),
       "test" = excluded."test",
       "discountCodes" = COALESCE(excluded."discountCodes", "Order"."discountCodes"),
       "updatedAt" = excluded."updatedAt"
     ${keep ? `WHERE "Order"."updatedAt" < ${keep.sql}` : ""}
     RETURNING "id", "shopifyId", "cancelledAt"`,
    keep ? [...rows.params, keep.param] : rows.params,
  );
  for (const row of written) {
    const shopifyId = String(row.shopifyId);
    saved.set(shopifyId, { id: Number(row.id), shopifyId, cancelled: row.cancelledAt !== null });
  }
  return saved;
}

export async function upsertRefunds(tx: Tx, shop: string, refunds: RefundRecord[]) {
  if (refunds.length === 0) return;
  const rows = insertRows(
    ["text", "text", "text", "integer", "timestamp"],
    refunds.map((r) => [shop, r.shopifyId, r.orderShopifyId, r.subtotalCents, r.createdAt]),
  );
  await query(
    tx,
    `INSERT INTO "Refund" ("shop", "shopifyId", "orderShopifyId", "subtotalCents", "createdAt")
     ${rows.sql}
     ON CONFLICT ("shop", "shopifyId") DO NOTHING RETURNING "id"`,
    rows.params,
  );
}

async function ordersWithRefunds(tx: Tx, shop: string, shopifyIds: string[]): Promise<Set<string>> {
  const rows = await tx.refund.findMany({
    where: { shop, orderShopifyId: { in: shopifyIds } },
    select: { orderShopifyId: true },
    distinct: ["orderShopifyId"],
  });
  return new Set(rows.map((r) => r.orderShopifyId));
}

/** refunds/create. The refund is kept even when its order has not reached us yet. */
export async function applyRefund(tx: Tx, shop: string, program: Program, refund: RefundRecord) {
  await upsertRefunds(tx, shop, [refund]);
  const order = await tx.order.findUnique({ where: { shop_shopifyId: { shop, shopifyId: refund.orderShopifyId } } });
  if (!order) return;
  await settleOrder(tx, shop, program, order.id);
  if (order.customerId) await refreshTiers(tx, shop, program, [order.customerId], "refund");
}

/** orders/cancelled: the payload is the whole order, so an unseen order is recorded too. */
export async function applyCancellation(tx: Tx, shop: string, program: Program, order: OrderRecord) {
  const customerIds = await upsertCustomers(tx, shop, order.customer ? [order.customer] : []);
  const saved = await upsertOrders(tx, shop, [{ ...order, cancelledAt: order.cancelledAt ?? new Date() }], customerIds);
  await upsertRefunds(tx, shop, order.refunds);
  await settleOrder(tx, shop, program, saved.get(order.shopifyId)!.id);
  await refreshTiers(tx, shop, program, [...customerIds.values()], "cancel");
}

/**
 * Brings an order's clawbacks in line with its refunds and cancellation: each refund takes back
 * its proportional share (cumulatively, capped at what the order earned), a cancellation the rest.
 */
export async function settleOrder(tx: Tx, shop: string, program: Program, orderId: number) {
  const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
  const refunds = await tx.refund.findMany({
    where: { shop, orderShopifyId: order.shopifyId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const refundedCents = refunds.reduce((sum, r) => sum + r.subtotalCents, 0);
  if (refundedCents !== order.refundedSubtotalCents) {
    await tx.order.update({ where: { id: order.id }, data: { refundedSubtotalCents: refundedCents } });
  }
  await settleReferral(tx, shop, program, order, refunds);
  if (!order.customerId) return;

  const entries = await tx.ledgerEntry.findMany({ where: { orderId: order.id } });
  const earned = entries.filter((e) => e.kind === "earn").reduce((sum, e) => sum + e.delta, 0);
  const used = new Set(entries.map((e) => e.idempotencyKey));
  // What clawbacks so far meant to take, including any shortfall the balance floor left.
  // Bonus take-backs are apart: they return the bonus, not a share of the earned points.
  let takenBack = entries
    .filter((e) => (e.kind === "refund" || e.kind === "cancel") && !isTakeback(e.idempotencyKey))
    .reduce((sum, e) => sum - e.delta + e.shortfall, 0);
  const label = order.name ?? order.shopifyId;

  const clawBack = async (wanted: number, entry: Omit<NewLedgerEntry, "delta" | "shortfall" | "shop" | "customerId">) => {
    const balance = await lockedBalance(tx, order.customerId!);
    const { delta, shortfall } = boundedClawback(wanted, balance, program.allowNegativeBalance);
    await appendEntry(tx, { ...entry, shop, customerId: order.customerId!, delta, shortfall, orderId: order.id });
    takenBack += wanted;
  };

  let refundedSoFar = 0;
  for (const refund of refunds) {
    refundedSoFar += refund.subtotalCents;
    const key = `refund:${refund.shopifyId}:clawback`;
    if (used.has(key)) continue;
    const wanted = clawbackTarget(earned, order.subtotalCents, refundedSoFar) - takenBack;
    if (wanted > 0) await clawBack(wanted, { kind: "refund", reason: `Refund on order ${label}`, idempotencyKey: key });
  }
  const cancelKey = `order:${order.shopifyId}:cancel`;
  if (order.cancelledAt && !used.has(cancelKey) && earned - takenBack > 0) {
    await clawBack(earned - takenBack, { kind: "cancel", reason: `Order ${label} cancelled`, idempotencyKey: cancelKey });
  }

  // The order's bonuses (first order, Nth order) go back whole when the order is cancelled or
  // refunded in full; a partial refund leaves them, as the order still happened.
  const undone = order.cancelledAt ? "cancel" : order.subtotalCents > 0 && refundedCents >= order.subtotalCents ? "refund" : null;
  if (!undone) return;
  for (const bonus of entries.filter((e) => e.kind === "bonus" && e.delta > 0)) {
    const key = takebackKey(bonus.idempotencyKey);
    if (used.has(key)) continue;
    const balance = await lockedBalance(tx, order.customerId);
    const { delta, shortfall } = boundedClawback(bonus.delta, balance, program.allowNegativeBalance);
    await appendEntry(tx, {
      shop,
      customerId: order.customerId,
      delta,
      shortfall,
      orderId: order.id,
      kind: undone,
      idempotencyKey: key,
      reason: `${bonus.reason.replace(/ \(order [^)]*\)$/, "")} taken back: order ${label} ${undone === "cancel" ? "cancelled" : "refunded"}`,
    });
  }
}

/** Tiers are recomputed on each order, refund and cancellation (docs/loyalty-rules.md), each move recorded. */
export async function refreshTiers(tx: Tx, shop: string, program: Program, customerIds: number[], reason: TierReason) {
  await moveTiers(tx, shop, program, customerIds, reason);
}
