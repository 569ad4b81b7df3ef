// Shopify Flow triggers: recorded with the fact, in its transaction, only for shops whose
// workflows use the trigger (Flow's lifecycle callback), and sent once per fact afterwards. The
// emulator's flow.jsonl is what Shopify Flow received.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { receiveTriggerLifecycle, sendFlowEvents, type FlowSendOptions } from "../../app/loyalty/flow-events.server";
import { markExpiryReminders } from "../../app/loyalty/expiry-reminders.server";
import { appendEntries } from "../../app/loyalty/ledger.server";
import { upsertCustomers } from "../../app/loyalty/membership.server";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import { redeem } from "../../app/loyalty/redemption.server";
import { moveTiers } from "../../app/loyalty/tiers.server";
import { adminFor } from "../../app/shopify/discounts.server";
import { readLog, writeFaults } from "../../app/shopify/emulator/admin-graphql";
import type { AdminGraphql } from "../../app/shopify/graphql-budget.server";
import { useFreshDatabase } from "../support/database";
import { createReward, storeOfflineSession } from "../support/proxy";

const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-emulator-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  process.env.SHOPIFY_API_SECRET = "flow-test-secret";
  return emulatorDir;
});
const SECRET = "flow-test-secret";

type Fired = { shop: string; handle: string; payload: Record<string, unknown>; outcome: string };
const fired = (shop: string) => readLog<Fired>(dir, "flow.jsonl").filter((f) => f.shop === shop);

let seq = 0;
let shop = "";
const send = (o: Partial<FlowSendOptions> = {}) =>
  sendFlowEvents({ adminFor: async (s) => (await adminFor(s)) as AdminGraphql, timeoutMs: 5000, ...o });

beforeAll(async () => {
  await useFreshDatabase();
});
beforeEach(async () => {
  writeFaults(dir, {});
  shop = `flow-${++seq}.myshopify.com`;
  await storeOfflineSession(shop);
  await db.flowEvent.deleteMany({}); // each test sends only its own shop's events
});
afterAll(() => db.$disconnect());

function callback(body: Record<string, unknown>, secret = SECRET) {
  const raw = JSON.stringify(body);
  return { raw, hmac: createHmac("sha256", secret).update(raw).digest("base64") };
}

async function useTrigger(trigger: string, enabled = true, timestamp = new Date().toISOString()) {
  const { raw, hmac } = callback({
    flow_trigger_definition_id: trigger,
    has_enabled_flow: enabled,
    shop_id: 1,
    shopify_domain: shop,
    timestamp,
  });
  return receiveTriggerLifecycle(raw, hmac, SECRET);
}

async function earn(shopifyId: string, delta: number, key: string) {
  return db.$transaction(async (tx) => {
    const ids = await upsertCustomers(tx, shop, [{ shopifyId, email: null, firstName: null, lastName: null }]);
    return appendEntries(tx, [
      {
        shop,
        customerId: ids.get(shopifyId)!,
        delta,
        kind: "earn",
        reason: `Order #${key}`,
        idempotencyKey: `order:${key}:earn`,
      },
    ]);
  });
}

describe("Flow's lifecycle callback", () => {
  it("records which triggers the shop uses; refuses a bad signature (401) and a body that is not the callback (400)", async () => {
    expect(await useTrigger("regulars-points-earned")).toEqual({ status: 200, reason: "recorded" });
    expect(await db.flowTriggerUse.findMany({ where: { shop } })).toMatchObject([
      { trigger: "regulars-points-earned", enabled: true },
    ]);

    const forged = callback(
      {
        flow_trigger_definition_id: "regulars-points-earned",
        has_enabled_flow: false,
        shopify_domain: shop,
        timestamp: new Date().toISOString(),
      },
      "wrong",
    );
    expect(await receiveTriggerLifecycle(forged.raw, forged.hmac, SECRET)).toMatchObject({ status: 401 });
    expect(await receiveTriggerLifecycle(forged.raw, null, SECRET)).toMatchObject({ status: 401 });
    const bad = callback({ has_enabled_flow: "yes", shopify_domain: "evil.example.com" });
    expect(await receiveTriggerLifecycle(bad.raw, bad.hmac, SECRET)).toMatchObject({ status: 400 });
    const notJson = "{nope";
    const signed = createHmac("sha256", SECRET).update(notJson).digest("base64");
    expect(await receiveTriggerLifecycle(notJson, signed, SECRET)).toMatchObject({ status: 400 });
    expect(await db.flowTriggerUse.findMany({ where: { shop } })).toMatchObject([{ enabled: true }]); // unchanged
  });

  it("an older notification does not override a newer one", async () => {
    await useTrigger("regulars-tier-changed", false, "2026-12-01T10:00:00Z");
    expect(await useTrigger("regulars-tier-changed", true, "2026-12-01T09:00:00Z")).toMatchObject({ reason: "stale" });
    expect((await db.flowTriggerUse.findFirstOrThrow({ where: { shop } })).enabled).toBe(false);
  });
});

describe("Flow triggers", () => {
  it("points earned: fired once per fact, after commit, with customer, points, balance and reason", async () => {
    await useTrigger("regulars-points-earned");
    await earn("8100", 120, "5001");
    await earn("8100", 120, "5001"); // the same order again (a redelivery): no new fact
    await earn("8100", 30, "5002");
    expect(await send()).toMatchObject({ sent: 2, failed: 0 });
    expect(await send()).toMatchObject({ sent: 0 }); // sent already: not again
    expect(fired(shop).map((f) => [f.handle, f.payload, f.outcome])).toEqual([
      ["regulars-points-earned", { customer_id: 8100, Points: 120, Balance: 120, Reason: "Order #5001", Tier: "" }, "ok"],
      ["regulars-points-earned", { customer_id: 8100, Points: 30, Balance: 150, Reason: "Order #5002", Tier: "" }, "ok"],
    ]);
  });

  it("not recorded, nor fired, for a shop without a workflow using the trigger (or one that turned it off)", async () => {
    await earn("8200", 50, "5101");
    await useTrigger("regulars-points-earned", false);
    await earn("8200", 50, "5102");
    expect(await db.flowEvent.count({ where: { shop } })).toBe(0);
    await send();
    expect(fired(shop)).toEqual([]);
  });

  it("a fact whose transaction rolls back is never fired", async () => {
    await useTrigger("regulars-points-earned");
    await expect(
      db.$transaction(async (tx) => {
        const ids = await upsertCustomers(tx, shop, [{ shopifyId: "8300", email: null, firstName: null, lastName: null }]);
        await appendEntries(tx, [
          { shop, customerId: ids.get("8300")!, delta: 10, kind: "earn", reason: "Order", idempotencyKey: "order:5201:earn" },
        ]);
        throw new Error("later step failed");
      }),
    ).rejects.toThrow("later step failed");
    await send();
    expect(fired(shop)).toEqual([]);
  });

  it("after THROTTLED, the event is sent again once Shopify's bucket has room, and only once", async () => {
    await useTrigger("regulars-points-earned");
    await earn("8400", 10, "5301");
    writeFaults(dir, { flow: "throttledOnce" });
    expect(await send()).toMatchObject({ throttled: 1, sent: 0 });
    const waiting = await db.flowEvent.findFirstOrThrow({ where: { shop } });
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    await db.flowEvent.update({ where: { id: waiting.id }, data: { nextAttemptAt: new Date() } }); // the wait has passed
    expect(await send()).toMatchObject({ sent: 1 });
    expect(fired(shop).map((f) => f.outcome)).toEqual(["throttled", "ok"]);
  });

  it("tier changed: fired with the previous and new tier", async () => {
    await useTrigger("regulars-tier-changed");
    const program: Program = {
      ...DEFAULT_PROGRAM,
      tiersEnabled: true,
      tiers: [{ name: "Gold", minSpendCents: 10_000, multiplier: 1, entryRewardPoints: 0, perks: "" }],
    };
    const customerId = await db.$transaction(async (tx) => {
      const ids = await upsertCustomers(tx, shop, [{ shopifyId: "8500", email: null, firstName: null, lastName: null }]);
      return ids.get("8500")!;
    });
    await db.order.create({
      data: {
        shop,
        shopifyId: "95001",
        customerId,
        subtotalCents: 20_000,
        totalCents: 20_000,
        currency: "USD",
        processedAt: new Date(),
        test: false,
      },
    });
    await db.$transaction((tx) => moveTiers(tx, shop, program, [customerId], "order"));
    await db.$transaction((tx) => moveTiers(tx, shop, program, [customerId], "order")); // nothing moves twice
    await send();
    expect(fired(shop).map((f) => f.payload)).toEqual([
      { customer_id: 8500, "Previous tier": "", "New tier": "Gold", Balance: 0 },
    ]);
  });

  it("reward redeemed: fired once the code exists; dropped when Shopify refuses the code (points given back)", async () => {
    await useTrigger("regulars-reward-redeemed");
    const reward = await createReward(shop, { name: "$5 off", pointsCost: 100 });
    await earn("8600", 300, "5401");
    const ok = await redeem({ shop, customerShopifyId: "8600", rewardId: reward.id, idempotencyKey: "r1" });
    expect(ok.ok).toBe(true);
    writeFaults(dir, { discounts: "userErrors" });
    const refused = await redeem({ shop, customerShopifyId: "8600", rewardId: reward.id, idempotencyKey: "r2" });
    expect(refused.ok).toBe(false);
    expect(await send()).toMatchObject({ sent: 1, dropped: 1 });
    expect(fired(shop).map((f) => [f.handle, f.payload])).toEqual([
      ["regulars-reward-redeemed", { customer_id: 8600, Reward: "$5 off", "Points spent": 100, Balance: 200 }],
    ]);
  });

  it("points expiring: fired when the reminder falls due, once per member and expiry day, with the date", async () => {
    await useTrigger("regulars-points-expiring");
    await db.shop.create({ data: { domain: shop, timezone: "UTC" } });
    await db.programSettings.create({ data: { shop, expiryEnabled: true, expiryMonths: 12, expiryReminderDays: 14 } });
    await earn("8700", 80, "5501");
    const customer = await db.customer.update({
      where: { shop_shopifyId: { shop, shopifyId: "8700" } },
      data: { enrolledAt: new Date("2020-01-01T00:00:00Z") }, // a member for years: the order is the last activity
    });
    await db.order.create({
      data: {
        shop,
        shopifyId: "95501",
        customerId: customer.id,
        processedAt: new Date("2025-01-20T15:00:00Z"),
        subtotalCents: 1000,
        totalCents: 1000,
        currency: "USD",
      },
    });
    await db.flowEvent.deleteMany({ where: { shop } }); // the points earned above are not this test's
    await markExpiryReminders(shop, new Date("2026-01-05T12:00:00Z")); // 15 days before: not yet
    await markExpiryReminders(shop, new Date("2026-01-06T12:00:00Z"));
    await markExpiryReminders(shop, new Date("2026-01-07T12:00:00Z")); // the next day's run: the same reminder
    await send();
    expect(fired(shop).map((f) => [f.handle, f.payload])).toEqual([
      ["regulars-points-expiring", { customer_id: 8700, Points: 80, "Expiry date": "2026-01-20", Tier: "" }],
    ]);
  });

  it("an event about a customer erased (customers/redact) before it was sent is dropped", async () => {
    await useTrigger("regulars-points-earned");
    await earn("8800", 10, "5601");
    await db.customer.update({ where: { shop_shopifyId: { shop, shopifyId: "8800" } }, data: { redactedAt: new Date() } });
    expect(await send()).toMatchObject({ sent: 0, dropped: 1 });
    expect(fired(shop)).toEqual([]);
  });
});
