// The daily reconciliation against the Admin API emulator: webhooks for N orders reach us with
// some dropped (paid events, a refund, a cancellation); one run repairs exactly those orders, the
// ledger ends as if nothing had been dropped, and a second run repairs nothing.
import * as msw from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGraphqlHandlers } from "../../app/shopify/emulator/admin-graphql";
import { orderNodeFromRest, type OrderNode } from "../../app/shopify/emulator/orders";
import { expiringOfflineToken } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { newId, orderPayload, refundPayload } from "../support/shopify";

// Shopify's orders per shop, as the emulator answers them. The bucket is small so the client's
// cost-aware waits are exercised (a page of 50 costs 152 of its 160 points).
const shopifyOrders = new Map<string, OrderNode[]>();
const server = setupServer(
  ...adminGraphqlHandlers(msw, {
    orders: (shop) => shopifyOrders.get(shop) ?? [],
    ordersBucket: { maximumAvailable: 160, restoreRate: 1000 },
  }),
);
// Before any app module loads the Shopify library (it keeps the `fetch` it first sees).
server.listen({ onUnhandledRequest: "error" });

const { db } = await import("../../app/db.server");
type Admin = import("../../app/shopify/discounts.server").AdminGraphql;

const HOUR = 3_600_000;
let admin: (shop: string) => Promise<Admin>;

beforeAll(async () => {
  await useFreshDatabase();
  const { unauthenticated } = await import("../../app/shopify.server");
  admin = async (shop) => (await unauthenticated.admin(shop)).admin as unknown as Admin;
});
afterAll(async () => {
  server.close();
  await db.$disconnect();
});

async function installShop(shop: string) {
  await db.shop.create({ data: { domain: shop, installedAt: new Date(Date.now() - 7 * 24 * HOUR) } });
  await db.programSettings.create({ data: { shop } });
  await db.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      ...expiringOfflineToken("shpat_test_token"),
      scope: "read_orders",
    },
  });
}

type Webhook = {
  topic: "ORDERS_PAID" | "REFUNDS_CREATE" | "ORDERS_CANCELLED";
  payload: Record<string, unknown>;
  eventId: string;
};

/** The webhooks' own path: recorded in the inbox, then processed. */
async function deliver(shop: string, webhooks: Webhook[]) {
  const { record } = await import("../../app/webhooks/inbox.server");
  const { drainInbox } = await import("../../app/webhooks/processor.server");
  for (const w of webhooks) await record({ shop, eventId: w.eventId, topic: w.topic, payload: JSON.stringify(w.payload) });
  await drainInbox();
}

/** Each order's ledger rows, by the order's Shopify id: what two shops can be compared by. */
async function ledgerByOrder(shop: string) {
  const rows = await db.ledgerEntry.findMany({ where: { shop }, include: { order: true }, orderBy: { id: "asc" } });
  const byOrder: Record<string, string[]> = {};
  for (const row of rows) (byOrder[row.order?.shopifyId ?? "-"] ??= []).push(`${row.kind} ${row.delta} ${row.idempotencyKey}`);
  for (const list of Object.values(byOrder)) list.sort();
  return byOrder;
}

const balances = async (shop: string) =>
  Object.fromEntries(
    (await db.customer.findMany({ where: { shop }, orderBy: { shopifyId: "asc" } })).map((c) => [c.shopifyId, c.pointsBalance]),
  );

describe("reconciliation", () => {
  it("repairs exactly the orders whose webhooks were lost, through the webhooks' own merges", async () => {
    const now = new Date();
    const customers = Array.from({ length: 12 }, () => newId());
    const webhooks: Webhook[] = [];
    const nodes: OrderNode[] = [];
    const kind: Record<string, "refunded" | "cancelled" | "plain" | "old" | "unpaid"> = {};
    for (let i = 0; i < 60; i++) {
      const hoursAgo = 1 + (i % 40);
      const processedAt = new Date(now.getTime() - hoursAgo * HOUR).toISOString();
      const cancelled = i % 9 === 4;
      const order = orderPayload({
        customerId: customers[i % customers.length],
        subtotal: `${40 + i}.50`,
        processedAt,
        cancelledAt: cancelled ? new Date(now.getTime() - (hoursAgo - 0.5) * HOUR).toISOString() : null,
      });
      const refunds = i % 3 === 0 && !cancelled ? [refundPayload(order.id, `${10 + i}.00`)] : [];
      const id = String(order.id);
      kind[id] = refunds.length ? "refunded" : cancelled ? "cancelled" : "plain";
      webhooks.push({ topic: "ORDERS_PAID", payload: { ...order, cancelled_at: null }, eventId: `paid-${id}` });
      for (const refund of refunds) webhooks.push({ topic: "REFUNDS_CREATE", payload: refund, eventId: `refund-${refund.id}` });
      if (cancelled) webhooks.push({ topic: "ORDERS_CANCELLED", payload: order, eventId: `cancel-${id}` });
      nodes.push(orderNodeFromRest(order, refunds, new Date(now.getTime() - (hoursAgo - 0.5) * HOUR)));
    }
    // Outside the 48-hour window: a lost paid event the job must not go back for.
    const old = orderPayload({
      customerId: customers[0],
      subtotal: "99.00",
      processedAt: new Date(now.getTime() - 60 * HOUR).toISOString(),
    });
    kind[String(old.id)] = "old";
    nodes.push(orderNodeFromRest(old, [], new Date(now.getTime() - 59 * HOUR)));
    // Not paid yet (no orders/paid was due): seen, left alone.
    const unpaid = orderPayload({
      customerId: customers[1],
      subtotal: "25.00",
      processedAt: new Date(now.getTime() - 2 * HOUR).toISOString(),
    });
    kind[String(unpaid.id)] = "unpaid";
    nodes.push(orderNodeFromRest({ ...unpaid, financial_status: "pending" }, [], new Date(now.getTime() - HOUR)));

    // What is lost: four paid events (one of an order whose refund did arrive, before it could
    // apply), one refund of an order that did arrive, one cancellation.
    const ids = Object.keys(kind).filter((id) => kind[id] !== "old" && kind[id] !== "unpaid");
    const refundedIds = ids.filter((id) => kind[id] === "refunded");
    const cancelledIds = ids.filter((id) => kind[id] === "cancelled");
    const plainIds = ids.filter((id) => kind[id] === "plain");
    const lostPaid = [plainIds[0], plainIds[1], plainIds[2], refundedIds[0]];
    const lostRefundOf = refundedIds[1];
    const lostCancelOf = cancelledIds[0];
    const lost = (w: Webhook) =>
      (w.topic === "ORDERS_PAID" && lostPaid.includes(String(w.payload.id))) ||
      (w.topic === "REFUNDS_CREATE" && String(w.payload.order_id) === lostRefundOf) ||
      (w.topic === "ORDERS_CANCELLED" && String(w.payload.id) === lostCancelOf);
    expect(webhooks.filter(lost)).toHaveLength(6);

    const complete = `reconcile-all-${process.pid}.myshopify.com`;
    const shop = `reconcile-lossy-${process.pid}.myshopify.com`;
    for (const s of [complete, shop]) {
      await installShop(s);
      shopifyOrders.set(s, nodes);
    }
    await deliver(complete, webhooks);
    await deliver(
      shop,
      webhooks.filter((w) => !lost(w)),
    );

    const rowsBefore = await db.ledgerEntry.count({ where: { shop } });
    const { reconcileShop } = await import("../../app/reconciliation/reconcile.server");
    const waits: number[] = [];
    const run = await reconcileShop(shop, await admin(shop), { now, fetch: { onWait: (ms) => waits.push(ms) } });

    expect(run).toMatchObject({ checked: 61, repaired: 6, error: null }); // 60 in the window + the unpaid one
    expect(waits.length).toBeGreaterThan(0); // it paced itself by the cost bucket
    // The repaired shop's ledger is the complete shop's, row for row (by order), and nothing more.
    expect(await ledgerByOrder(shop)).toEqual(await ledgerByOrder(complete));
    expect(await balances(shop)).toEqual(await balances(complete));
    const rowsAfter = await db.ledgerEntry.count({ where: { shop } });
    // 4 earns, the earned-then-refunded order's clawback, the lost refund's, the lost cancellation's.
    expect(rowsAfter - rowsBefore).toBe(7);
    expect(await db.order.findFirst({ where: { shop, shopifyId: String(old.id) } })).toBeNull();
    expect(await db.order.findFirst({ where: { shop, shopifyId: String(unpaid.id) } })).toBeNull();

    const saved = await db.reconciliationRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(saved).toMatchObject({ shop, checked: 61, repaired: 6, error: null });
    expect(saved.finishedAt).not.toBeNull();

    // The next day's run (same window here) finds nothing to do.
    const again = await reconcileShop(shop, await admin(shop), { now });
    expect(again).toMatchObject({ checked: 61, repaired: 0, error: null });
    expect(await db.ledgerEntry.count({ where: { shop } })).toBe(rowsAfter);
    // And the shop that lost nothing was never short of anything.
    expect(await reconcileShop(complete, await admin(complete), { now })).toMatchObject({ repaired: 0 });
  }, 60_000);

  it("waits out THROTTLED answers when another caller spends the shop's query budget", async () => {
    const shop = `reconcile-busy-${process.pid}.myshopify.com`;
    await installShop(shop);
    const now = new Date();
    shopifyOrders.set(
      shop,
      Array.from({ length: 120 }, (_, i) =>
        orderNodeFromRest(orderPayload({ customerId: newId() }), [], new Date(now.getTime() - (i + 1) * 60_000)),
      ),
    );
    const { ordersUpdatedSince } = await import("../../app/shopify/orders.server");
    const read = async (why: string[]) => {
      const ids: string[] = [];
      for await (const page of ordersUpdatedSince(await admin(shop), new Date(now.getTime() - 48 * HOUR), {
        onWait: (_ms, reason) => why.push(reason),
      })) {
        ids.push(...page.orders.map((o) => o.id));
      }
      return ids;
    };
    // Two readers of one bucket that holds one page: one of them is refused and must wait.
    const [a, b] = [[] as string[], [] as string[]];
    const [first, second] = await Promise.all([read(a), read(b)]);
    expect(new Set(first).size).toBe(120);
    expect(second).toEqual(first);
    expect([...a, ...b]).toContain("throttled");
  }, 60_000);

  it("records a run that Shopify refused, with the reason", async () => {
    const shop = `reconcile-denied-${process.pid}.myshopify.com`;
    await installShop(shop);
    await db.session.update({ where: { id: `offline_${shop}` }, data: { accessToken: "" } });
    const { reconcileShop } = await import("../../app/reconciliation/reconcile.server");
    const run = await reconcileShop(shop, await admin(shop));
    expect(run.error).toBeTruthy();
    const saved = await db.reconciliationRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(saved).toMatchObject({ checked: 0, repaired: 0 });
    expect(saved.error).toBe(run.error);
  });
});
