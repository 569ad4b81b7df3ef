// Property: whatever order paid / refund / cancel / redeem / expire / adjust events arrive in —
// duplicated, refunds before their order, a cancellation before the payment — every customer's
// cached balance equals their ledger sum, never goes below zero unless the shop allows negative
// balances, and every order earns at most once (exactly once when its payment arrived).
//
// Each run is a fresh shop with generated settings (negative balances, tiers, restoring expired
// codes), driven through the app's own paths: webhooks are recorded in the inbox and worked by the
// real processor; redemptions go through redeem() against the emulated Admin API; points expiry,
// code expiry and staff adjustments through their domain functions. Real SQLite, or PostgreSQL
// when TEST_POSTGRES_URL is set.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { expirePoints } from "../../app/loyalty/expiry.server";
import { AdjustmentError, adjustPoints, MemberNotFound } from "../../app/loyalty/adjustments.server";
import { expireRedemptions, redeem } from "../../app/loyalty/redemption.server";
import { record } from "../../app/webhooks/inbox.server";
import { drainInbox } from "../../app/webhooks/processor.server";
import { useFreshDatabase } from "../support/database";
import { createReward, storeOfflineSession } from "../support/proxy";
import { newId, orderPayload, refundPayload } from "../support/shopify";

// Before any import runs: the emulator answers the Admin API inside this process.
vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = mkdtempSync(`${require("node:os").tmpdir()}/regulars-emulator-`);
  process.env.SHOPIFY_ADMIN_BACKOFF_MS = "10";
  process.env.LOG_LEVEL = "warn";
});

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const CUSTOMERS = 2;
const ORDERS = 4;
const REFUNDS_PER_ORDER = 3;
const REDEEM_KEYS = 3;
const ADJUSTMENTS = 3;
const DAY_MS = 86_400_000;

type Step =
  | { kind: "paid" | "cancel"; order: number; freshId: boolean; drain: boolean }
  | { kind: "refund"; order: number; refund: number; freshId: boolean; drain: boolean }
  | { kind: "redeem"; customer: number; reward: number; key: number }
  | { kind: "expire"; daysAhead: number }
  | { kind: "adjust"; adjustment: number };

const webhook = { freshId: fc.boolean(), drain: fc.boolean() };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("paid" as const), order: fc.nat(ORDERS - 1), ...webhook }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      order: fc.nat(ORDERS - 1),
      refund: fc.nat(REFUNDS_PER_ORDER - 1),
      ...webhook,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), order: fc.nat(ORDERS - 1), ...webhook }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("redeem" as const),
      customer: fc.nat(CUSTOMERS - 1),
      reward: fc.nat(1),
      key: fc.nat(REDEEM_KEYS - 1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expire" as const), daysAhead: fc.constantFrom(0, 45, 400) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("adjust" as const), adjustment: fc.nat(ADJUSTMENTS - 1) }) },
);

const scenario = fc.record({
  allowNegativeBalance: fc.boolean(),
  tiersEnabled: fc.boolean(),
  restorePointsOnExpiry: fc.boolean(),
  orders: fc.array(
    fc.record({
      customer: fc.nat(CUSTOMERS - 1),
      subtotalCents: fc.integer({ min: 0, max: 40_000 }),
      // Refund amounts may sum past the subtotal: the app must cap clawbacks at what was earned.
      refundCents: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: REFUNDS_PER_ORDER, maxLength: REFUNDS_PER_ORDER }),
    }),
    { minLength: ORDERS, maxLength: ORDERS },
  ),
  adjustments: fc.array(
    fc.record({ customer: fc.nat(CUSTOMERS - 1), delta: fc.integer({ min: -400, max: 400 }).filter((d) => d !== 0) }),
    { minLength: ADJUSTMENTS, maxLength: ADJUSTMENTS },
  ),
  steps: fc.array(step, { minLength: 1, maxLength: 24 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const money = (cents: number) => (cents / 100).toFixed(2);
let runs = 0;

async function play(s: Scenario) {
  const run = ++runs;
  const shop = `props-${run}-${Date.now().toString(36)}.myshopify.com`;
  await db.programSettings.create({
    data: {
      shop,
      allowNegativeBalance: s.allowNegativeBalance,
      tiersEnabled: s.tiersEnabled,
      tiers: JSON.stringify([{ name: "Gold", minSpendCents: 10_000, multiplier: 2 }]),
      expiryEnabled: true,
      expiryMonths: 1,
      restorePointsOnExpiry: s.restorePointsOnExpiry,
      codeExpiryDays: 30,
    },
  });
  await storeOfflineSession(shop);
  const rewards = [await createReward(shop, { pointsCost: 50 }), await createReward(shop, { pointsCost: 300 })];
  const customerIds = Array.from({ length: CUSTOMERS }, () => newId());
  const orderIds = s.orders.map(() => newId());
  const refundIds = s.orders.map(() => Array.from({ length: REFUNDS_PER_ORDER }, () => newId()));
  const paidDelivered = new Set<number>();
  let deliveries = 0;

  const deliver = async (topic: string, canonicalId: string, payload: unknown, freshId: boolean) => {
    const eventId = freshId ? `${canonicalId}:again:${++deliveries}` : canonicalId;
    await record({ shop, eventId, topic, payload: JSON.stringify(payload) });
  };
  const orderBody = (i: number, cancelled = false) =>
    orderPayload({
      id: orderIds[i],
      customerId: customerIds[s.orders[i].customer],
      subtotal: money(s.orders[i].subtotalCents),
      cancelledAt: cancelled ? "2026-11-02T10:00:00-05:00" : null,
    });

  for (const st of s.steps) {
    // Anything but a webhook sees the webhooks before it applied, as it would in time.
    if (st.kind !== "paid" && st.kind !== "refund" && st.kind !== "cancel") await drainInbox();
    switch (st.kind) {
      case "paid":
        paidDelivered.add(st.order);
        await deliver("ORDERS_PAID", `paid-${orderIds[st.order]}`, orderBody(st.order), st.freshId);
        break;
      case "cancel":
        await deliver("ORDERS_CANCELLED", `cancel-${orderIds[st.order]}`, orderBody(st.order, true), st.freshId);
        break;
      case "refund": {
        const amount = s.orders[st.order].refundCents[st.refund];
        const id = refundIds[st.order][st.refund];
        await deliver("REFUNDS_CREATE", `refund-${id}`, refundPayload(orderIds[st.order], money(amount), { id }), st.freshId);
        break;
      }
      case "redeem": {
        const result = await redeem({
          shop,
          customerShopifyId: String(customerIds[st.customer]),
          rewardId: rewards[st.reward].id,
          idempotencyKey: `prop-${run}-${st.customer}-${st.key}`,
        });
        // The emulator issues every code: a failure may only be a shortage of points.
        if (!result.ok) expect(result.error).toBe("not_enough_points");
        break;
      }
      case "expire": {
        const now = new Date(Date.now() + st.daysAhead * DAY_MS);
        await expirePoints(now, { shop });
        await expireRedemptions(now);
        break;
      }
      case "adjust": {
        const { customer, delta } = s.adjustments[st.adjustment];
        try {
          await adjustPoints(
            shop,
            String(customerIds[customer]),
            { delta, reason: "Property test", nonce: `prop-${run}-adj-${st.adjustment}` },
            null,
          );
        } catch (error) {
          // Refusals are expected answers: no member yet, or a removal past zero with the floor on.
          if (error instanceof MemberNotFound) break;
          if (error instanceof AdjustmentError && !s.allowNegativeBalance && delta < 0) break;
          throw error;
        }
        break;
      }
    }
    if (st.kind === "redeem" || st.kind === "expire" || st.kind === "adjust" || st.drain) await drainInbox();
    await checkInvariants(shop, s.allowNegativeBalance);
  }
  await drainInbox();
  await checkInvariants(shop, s.allowNegativeBalance);

  // Every delivery was processed: none failed, none is waiting for a retry.
  const unfinished = await db.webhookEvent.findMany({
    where: { shop, OR: [{ processedAt: null }, { lastError: { not: null } }] },
  });
  expect(unfinished).toEqual([]);
  // An order whose payment arrived earned exactly once (when it was worth a point at all). At the
  // base rate that takes 1.00; a Gold member (×2, reached at 100.00 of spend) earns a point from
  // 0.50, so an order between the two earns once or not at all, depending on the tier it met.
  const orders = await db.order.findMany({ where: { shop }, select: { id: true, shopifyId: true } });
  for (const [i, shopifyId] of orderIds.entries()) {
    const order = orders.find((o) => o.shopifyId === String(shopifyId));
    const earns = order ? await db.ledgerEntry.count({ where: { orderId: order.id, kind: "earn" } }) : 0;
    const cents = s.orders[i].subtotalCents;
    const atGold = s.tiersEnabled && cents * 2 >= 100;
    if (!paidDelivered.has(i) || (cents < 100 && !atGold)) expect(earns, `order ${i}`).toBe(0);
    else if (cents >= 100) expect(earns, `order ${i}`).toBe(1);
    else expect(earns, `order ${i}`).toBeLessThanOrEqual(1);
  }
}

async function checkInvariants(shop: string, allowNegative: boolean) {
  const customers = await db.customer.findMany({ where: { shop }, select: { id: true, pointsBalance: true } });
  const sums = await db.ledgerEntry.groupBy({ by: ["customerId"], where: { shop }, _sum: { delta: true } });
  for (const c of customers) {
    const sum = sums.find((s) => s.customerId === c.id)?._sum.delta ?? 0;
    expect(c.pointsBalance, `customer ${c.id}: cached balance vs ledger sum`).toBe(sum);
    if (!allowNegative) expect(c.pointsBalance, `customer ${c.id}: balance floor`).toBeGreaterThanOrEqual(0);
  }
  // Per order: at most one earn, and refunds plus a cancellation never take back more than it earned.
  const perOrder = await db.ledgerEntry.groupBy({
    by: ["orderId", "kind"],
    where: { shop, orderId: { not: null } },
    _sum: { delta: true },
    _count: true,
  });
  const byOrder = new Map<number, { earned: number; earns: number; taken: number }>();
  for (const row of perOrder) {
    const o = byOrder.get(row.orderId!) ?? { earned: 0, earns: 0, taken: 0 };
    if (row.kind === "earn") {
      o.earned += row._sum.delta ?? 0;
      o.earns += row._count;
    } else if (row.kind === "refund" || row.kind === "cancel") {
      o.taken -= row._sum.delta ?? 0;
    }
    byOrder.set(row.orderId!, o);
  }
  for (const [orderId, o] of byOrder) {
    expect(o.earns, `order ${orderId} earns`).toBeLessThanOrEqual(1);
    expect(o.taken, `order ${orderId} clawbacks`).toBeLessThanOrEqual(o.earned);
  }
}

it("keeps balance = ledger sum ≥ 0 (floor on) and each order earned at most once, under any interleaving", async () => {
  await fc.assert(fc.asyncProperty(scenario, play), { numRuns: Number(process.env.PROPERTY_RUNS ?? 60), endOnFailure: false });
}, 300_000);
