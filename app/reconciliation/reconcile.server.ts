// The daily reconciliation (docs/reconciliation.md): Shopify's orders updated in the last 48 hours
// compared with ours, and what a lost or late webhook missed applied through the webhook path's
// own idempotent merges (paid → earn, refunds → clawback, cancellation → the rest). Nothing is
// applied twice: each merge writes under the ledger keys the webhooks use.
import { db, type Tx } from "../db.server";
import { lockCustomersOf, lockOrders } from "../db/locks.server";
import { log } from "../log.server";
import { upsertCustomers } from "../loyalty/membership.server";
import { applyCancellation, applyPaidOrders, applyRefund, upsertOrders, upsertRefunds } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";
import type { AdminGraphql } from "../shopify/discounts.server";
import { ordersUpdatedSince, type FetchOptions } from "../shopify/orders.server";
import { shopifyOrder, type ShopifyOrder } from "./shopify-order";

export const WINDOW_MS = 48 * 3_600_000;

/** Financial states of an order that was paid at some point: orders/paid was sent for it. */
const WAS_PAID = new Set(["paid", "partially_refunded", "refunded"]);

export type RunResult = { id: number; checked: number; repaired: number; error: string | null };

/** Shops the daily job visits: installed, not uninstalled. */
export async function installedShops(): Promise<string[]> {
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true }, orderBy: { domain: "asc" } });
  return shops.map((s) => s.domain);
}

export async function reconcileShop(
  shop: string,
  admin: AdminGraphql,
  options: { now?: Date; fetch?: FetchOptions } = {},
): Promise<RunResult> {
  const now = options.now ?? new Date();
  const run = await db.reconciliationRun.create({ data: { shop, startedAt: now } });
  const installedAt = (await db.shop.findUnique({ where: { domain: shop }, select: { installedAt: true } }))?.installedAt ?? null;
  let checked = 0;
  let repaired = 0;
  let error: string | null = null;
  try {
    for await (const page of ordersUpdatedSince(admin, new Date(now.getTime() - WINDOW_MS), options.fetch)) {
      checked += page.orders.length;
      repaired += await repairPage(shop, page.orders.map(shopifyOrder), installedAt);
      await db.reconciliationRun.update({ where: { id: run.id }, data: { checked, repaired } });
    }
  } catch (caught) {
    error = (caught instanceof Error ? caught.message : String(caught)).slice(0, 2000);
    log.error("reconciliation.failed", { shop, checked, repaired, error });
  }
  await db.reconciliationRun.update({ where: { id: run.id }, data: { checked, repaired, error, finishedAt: new Date() } });
  log.info("reconciliation.done", { shop, checked, repaired, ms: Date.now() - now.getTime() });
  return { id: run.id, checked, repaired, error };
}

type Local = { cancelledAt: Date | null; refunds: Set<string> };

/** One page in one transaction, under its orders' locks like the webhook processor. Returns how many orders it repaired. */
async function repairPage(shop: string, orders: ShopifyOrder[], installedAt: Date | null): Promise<number> {
  if (orders.length === 0) return 0;
  return db.$transaction(
    async (tx) => {
      const ids = orders.map((o) => o.shopifyId);
      await lockOrders(tx, shop, ids);
      await lockCustomersOf(tx, shop, ids);
      const local = await localState(
        tx,
        shop,
        orders.map((o) => o.shopifyId),
      );
      const program = await loadProgram(tx, shop);
      let repaired = 0;
      for (const order of orders) {
        const fixes = await repairOrder(tx, shop, program, order, local.get(order.shopifyId) ?? null, installedAt);
        if (fixes.length === 0) continue;
        repaired++;
        log.info("reconciliation.repaired", { shop, order: order.shopifyId, fixes });
      }
      return repaired;
    },
    { timeout: 60_000 },
  );
}

async function localState(tx: Tx, shop: string, shopifyIds: string[]): Promise<Map<string, Local>> {
  const [orders, refunds] = await Promise.all([
    tx.order.findMany({ where: { shop, shopifyId: { in: shopifyIds } }, select: { shopifyId: true, cancelledAt: true } }),
    tx.refund.findMany({
      where: { shop, orderShopifyId: { in: shopifyIds } },
      select: { shopifyId: true, orderShopifyId: true },
    }),
  ]);
  const state = new Map<string, Local>(
    orders.map((o) => [o.shopifyId, { cancelledAt: o.cancelledAt, refunds: new Set<string>() }]),
  );
  for (const r of refunds) state.get(r.orderShopifyId)?.refunds.add(r.shopifyId);
  return state;
}

type Program = Awaited<ReturnType<typeof loadProgram>>;

/** What was missing for this order, after applying it ("paid", "refund:<id>", "cancelled", "recorded"). */
async function repairOrder(
  tx: Tx,
  shop: string,
  program: Program,
  order: ShopifyOrder,
  local: Local | null,
  installedAt: Date | null,
): Promise<string[]> {
  const fixes: string[] = [];
  if (!local) {
    const paid = WAS_PAID.has(order.financialStatus ?? "");
    // History from before the install earns nothing (as the backfill import): recorded only.
    if (paid && (!installedAt || order.processedAt >= installedAt)) {
      // The paid merge also stores its refunds and cancellation and settles them.
      await applyPaidOrders(tx, shop, program, [order]);
      return ["paid", ...order.refunds.map((r) => `refund:${r.shopifyId}`), ...(order.cancelledAt ? ["cancelled"] : [])];
    }
    if (order.cancelledAt) {
      await applyCancellation(tx, shop, program, order);
      return ["cancelled"];
    }
    if (!paid && order.refunds.length === 0) return []; // unpaid: no webhook of ours was due
    const customerIds = await upsertCustomers(tx, shop, order.customer ? [order.customer] : []);
    await upsertOrders(tx, shop, [order], customerIds);
    await upsertRefunds(tx, shop, order.refunds);
    return ["recorded"];
  }
  for (const refund of order.refunds) {
    if (local.refunds.has(refund.shopifyId)) continue;
    await applyRefund(tx, shop, program, refund);
    fixes.push(`refund:${refund.shopifyId}`);
  }
  if (order.cancelledAt && !local.cancelledAt) {
    await applyCancellation(tx, shop, program, order);
    fixes.push("cancelled");
  }
  return fixes;
}

export type ReconciliationSummary = {
  startedAt: string;
  finishedAt: string | null;
  checked: number;
  repaired: number;
  error: string | null;
};

/** The shop's latest runs, newest first (the admin's Status page). */
export async function recentRuns(shop: string, take = 5): Promise<ReconciliationSummary[]> {
  const runs = await db.reconciliationRun.findMany({ where: { shop }, orderBy: { startedAt: "desc" }, take });
  return runs.map((r) => ({
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    checked: r.checked,
    repaired: r.repaired,
    error: r.error,
  }));
}
