// "Credit past purchases": the owner's one-off choice to award points for imported orders.
// Each order earns under the same ledger key as orders/paid (`order:<id>:earn`), so an order
// that already earned (by webhook, or by an earlier click) never earns again; refunds then take
// their share back the usual way. Works in chunks, each one transaction, so it resumes anywhere.
import { db, type Tx } from "../db.server";
import { lockCustomersOf, lockOrders } from "../db/locks.server";
import { log } from "../log.server";
import { pointsForOrder } from "../loyalty/earning";
import { appendEntries, type NewLedgerEntry } from "../loyalty/ledger.server";
import { settleOrder } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";

export type CreditResult = { orders: number; points: number };

/** Orders that count as paid for earning; fully refunded and unpaid ones would earn nothing net. */
const PAID = ["paid", "partially_refunded"];

export async function creditPastPurchases(
  shop: string,
  options: { chunkSize?: number; commit?: (tx: Tx, chunk: CreditResult) => Promise<void> } = {},
): Promise<CreditResult> {
  const chunkSize = options.chunkSize ?? 1000;
  const program = await loadProgram(db as unknown as Tx, shop);
  const total: CreditResult = { orders: 0, points: 0 };
  let cursor = 0;
  for (;;) {
    const orders = await db.order.findMany({
      where: {
        shop,
        id: { gt: cursor },
        test: false,
        cancelledAt: null,
        financialStatus: { in: PAID },
        customer: { is: { redactedAt: null } },
      },
      orderBy: { id: "asc" },
      take: chunkSize,
      select: {
        id: true,
        shopifyId: true,
        name: true,
        subtotalCents: true,
        refundedSubtotalCents: true,
        customer: { select: { id: true, shopifyId: true, tier: true } },
      },
    });
    if (orders.length === 0) break;
    cursor = orders[orders.length - 1].id;
    const entries: NewLedgerEntry[] = [];
    for (const order of orders) {
      const customer = order.customer!;
      const tier = program.tiersEnabled ? (program.tiers.find((t) => t.name === customer.tier) ?? null) : null;
      const points = pointsForOrder(
        { subtotalCents: order.subtotalCents, test: false, customerShopifyId: customer.shopifyId },
        program,
        tier,
      );
      if (points <= 0) continue;
      entries.push({
        shop,
        customerId: customer.id,
        delta: points,
        kind: "earn",
        reason: `Past purchase: order ${order.name ?? order.shopifyId}${tier ? ` (${tier.name} ×${tier.multiplier})` : ""}`,
        orderId: order.id,
        idempotencyKey: `order:${order.shopifyId}:earn`,
      });
    }
    const chunk = await db.$transaction(
      async (tx) => {
        // Under these orders' locks, and read after taking them: a refund another instance applied
        // meanwhile is seen here, or sees these earn rows (it waits for this commit).
        const ids = orders.map((o) => o.shopifyId);
        await lockOrders(tx, shop, ids);
        await lockCustomersOf(tx, shop, ids);
        // The chunk's id range rather than a list of its ids: a thousand parameters is past what
        // Prisma allows on SQLite. Rows in the range outside the chunk are never looked up below.
        const toSettle = new Set(
          (
            await tx.order.findMany({
              where: {
                shop,
                id: { gte: orders[0].id, lte: cursor },
                OR: [{ refundedSubtotalCents: { gt: 0 } }, { cancelledAt: { not: null } }],
              },
              select: { id: true },
            })
          ).map((o) => o.id),
        );
        const appended = await appendEntries(tx, entries);
        for (const entry of appended) if (toSettle.has(entry.orderId!)) await settleOrder(tx, shop, program, entry.orderId!);
        const result = { orders: appended.length, points: appended.reduce((sum, e) => sum + e.delta, 0) };
        await options.commit?.(tx, result);
        return result;
      },
      { timeout: 60_000 },
    );
    total.orders += chunk.orders;
    total.points += chunk.points;
  }
  log.info("backfill.credited", { shop, ...total });
  return total;
}

/** The owner's click: accepted once the import is done and no credit is under way. */
export async function requestCredit(shop: string): Promise<boolean> {
  const { count } = await db.backfillJob.updateMany({
    where: { shop, status: "done", OR: [{ creditStatus: null }, { creditStatus: { in: ["done", "failed"] } }] },
    data: { creditStatus: "requested", creditRequestedAt: new Date(), creditedOrders: 0, creditedPoints: 0 },
  });
  return count === 1;
}

/** Runs a requested (or interrupted) credit. Returns the result, or null when none is due here. */
export async function runCreditRequest(shop: string, leaseMs = 120_000): Promise<CreditResult | null> {
  const now = new Date();
  const { count } = await db.backfillJob.updateMany({
    where: { shop, creditStatus: { in: ["requested", "running"] }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { creditStatus: "running", lockedUntil: new Date(now.getTime() + leaseMs) },
  });
  if (count !== 1) return null;
  try {
    const result = await creditPastPurchases(shop, {
      commit: async (tx, chunk) => {
        await tx.backfillJob.update({
          where: { shop },
          data: {
            creditedOrders: { increment: chunk.orders },
            creditedPoints: { increment: chunk.points },
            lockedUntil: new Date(Date.now() + leaseMs),
          },
        });
      },
    });
    await db.backfillJob.update({ where: { shop }, data: { creditStatus: "done", creditedAt: new Date(), lockedUntil: null } });
    return result;
  } catch (error) {
    log.error("backfill.credit_failed", { shop, error: String(error) });
    await db.backfillJob.update({
      where: { shop },
      data: {
        creditStatus: "failed",
        lockedUntil: null,
        lastError: `Crediting past purchases failed: ${String(error)}`.slice(0, 2000),
      },
    });
    throw error;
  }
}
