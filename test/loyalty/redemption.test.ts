// The redemption domain without the HTTP server: the real modules, a real database, and Shopify's
// Admin API answered by the emulator inside this test process (msw at the network edge).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { expireRedemptions, markRedemptionsUsed, redeem, STALE_PENDING_MS } from "../../app/loyalty/redemption.server";
import { newRewardCode, rewardCodeMutation, type NewRewardCode } from "../../app/shopify/discounts.server";
import { readLog, writeFaults } from "../../app/shopify/emulator/admin-graphql";
import { useFreshDatabase } from "../support/database";
import { entriesOf, pointsOf } from "../support/ledger";
import { createReward, memberWithPoints, storeOfflineSession } from "../support/proxy";
import { newId, SHOP } from "../support/shopify";

// Before any import runs: the emulator starts with the process when these are set.
const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-emulator-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  process.env.SHOPIFY_ADMIN_BACKOFF_MS = "10";
  return emulatorDir;
});

beforeAll(async () => {
  await useFreshDatabase();
  await storeOfflineSession(SHOP);
});
beforeEach(() => writeFaults(dir, { discounts: null }));
afterAll(() => db.$disconnect());

describe("reward codes", () => {
  it("are REG-XXXX-XXXX from characters that cannot be misread, and do not repeat", () => {
    const codes = Array.from({ length: 20_000 }, () => newRewardCode());
    for (const code of codes.slice(0, 200)) expect(code).toMatch(/^REG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(codes.map((c) => c.slice(4)).join("")).not.toMatch(/[01ILO]/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  const base: NewRewardCode = {
    code: "REG-AAAA-BBBB",
    title: "t",
    customerShopifyId: "42",
    reward: { kind: "amount_off", valueCents: 1050, minimumSubtotalCents: null },
    startsAt: new Date("2026-01-01T00:00:00Z"),
    endsAt: new Date("2026-01-31T00:00:00Z"),
    combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
  };

  it("amount off: discountCodeBasicCreate with context.customers, one use, an end, no minimum", () => {
    const m = rewardCodeMutation(base);
    expect(m.field).toBe("discountCodeBasicCreate");
    expect(m.query).toContain("discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount)");
    expect(m.query).toContain("userErrors { field message code }");
    expect(m.variables.basicCodeDiscount).toEqual({
      title: "t",
      code: "REG-AAAA-BBBB",
      startsAt: "2026-01-01T00:00:00.000Z",
      endsAt: "2026-01-31T00:00:00.000Z",
      context: { customers: { add: ["gid://shopify/Customer/42"] } },
      usageLimit: 1,
      appliesOncePerCustomer: true,
      combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
      minimumRequirement: null,
      customerGets: { value: { discountAmount: { amount: "10.50", appliesOnEachItem: false } }, items: { all: true } },
    });
  });

  it("percent off is a fraction; free shipping uses its own mutation, all destinations, with the minimum", () => {
    const pct = rewardCodeMutation({ ...base, reward: { kind: "percent_off", percentOff: 15, minimumSubtotalCents: 2500 } });
    expect((pct.variables.basicCodeDiscount as any).customerGets.value).toEqual({ percentage: 0.15 });
    expect((pct.variables.basicCodeDiscount as any).minimumRequirement).toEqual({
      subtotal: { greaterThanOrEqualToSubtotal: "25.00" },
    });
    const ship = rewardCodeMutation({ ...base, reward: { kind: "free_shipping", minimumSubtotalCents: 3000 } });
    expect(ship.field).toBe("discountCodeFreeShippingCreate");
    expect(ship.query).toContain("discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount)");
    expect(ship.variables.freeShippingCodeDiscount).toMatchObject({
      destination: { all: true },
      usageLimit: 1,
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "30.00" } },
    });
  });
});

describe("redeem()", () => {
  it("spends, creates the code and returns the balance after", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 750);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const result = await redeem({
      shop: SHOP,
      customerShopifyId: customer,
      rewardId: reward.id,
      idempotencyKey: "unit-1-abcdef",
    });
    expect(result).toMatchObject({ ok: true, pointsSpent: 500, points: 250, repeated: false });
    const again = await redeem({ shop: SHOP, customerShopifyId: customer, rewardId: reward.id, idempotencyKey: "unit-1-abcdef" });
    expect(again).toMatchObject({ ok: true, repeated: true, code: (result as { code: string }).code });
    expect(await pointsOf(customer)).toBe(250);
  });

  it("a member unknown to the app, or short of points, spends nothing and leaves no redemption", async () => {
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const unknown = await redeem({
      shop: SHOP,
      customerShopifyId: String(newId()),
      rewardId: reward.id,
      idempotencyKey: "unit-2-abcdef",
    });
    expect(unknown).toMatchObject({ ok: false, error: "not_enough_points", points: 0 });
    const poor = String(newId());
    await memberWithPoints(poor, 499);
    const short = await redeem({ shop: SHOP, customerShopifyId: poor, rewardId: reward.id, idempotencyKey: "unit-3-abcdef" });
    expect(short).toMatchObject({ ok: false, error: "not_enough_points", points: 499 });
    expect(await db.redemption.count({ where: { rewardId: reward.id } })).toBe(0);
  });

  it("with a throttled first try, retries once and issues", async () => {
    writeFaults(dir, { discounts: "throttledOnce" });
    const customer = String(newId());
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const result = await redeem({
      shop: SHOP,
      customerShopifyId: customer,
      rewardId: reward.id,
      idempotencyKey: "unit-4-abcdef",
    });
    expect(result.ok).toBe(true);
    const code = (result as { code: string }).code;
    expect(readLog<{ code: string }>(dir, "requests.jsonl").filter((r) => r.code === code)).toHaveLength(2);
  });

  it("a deadline shorter than Shopify's answer gives the points back", async () => {
    writeFaults(dir, { discounts: "hang" });
    const customer = String(newId());
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const started = Date.now();
    const result = await redeem({
      shop: SHOP,
      customerShopifyId: customer,
      rewardId: reward.id,
      idempotencyKey: "unit-5-abcdef",
      shopify: { timeoutMs: 300 },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ ok: false, error: "shopify_unavailable", points: 500 });
    expect(await pointsOf(customer)).toBe(500);
  });

  it("a shop without an offline session cannot reach Shopify: points back", async () => {
    const shop = "not-installed.myshopify.com";
    const customer = String(newId());
    await memberWithPoints(customer, 500, shop);
    const reward = await createReward(shop, { pointsCost: 500 });
    const result = await redeem({ shop, customerShopifyId: customer, rewardId: reward.id, idempotencyKey: "unit-6-abcdef" });
    expect(result).toMatchObject({ ok: false, error: "shopify_unavailable", points: 500 });
    expect(await pointsOf(customer, shop)).toBe(500);
  });
});

describe("after the code", () => {
  it("marks used, in one statement, every redemption whose code a batch of orders used — case-insensitively, in this shop only", async () => {
    const customer = String(newId());
    const customerId = await memberWithPoints(customer, 0);
    const row = (code: string, shop = SHOP) =>
      db.redemption.create({
        data: { shop, customerId, rewardId: 1, pointsSpent: 100, status: "issued", code, idempotencyKey: `k-${code}-${shop}` },
      });
    await row("REG-USED-AAAA");
    await row("REG-USED-BBBB");
    await row("REG-KEEP-CCCC");
    await row("REG-USED-AAAA", "other.myshopify.com");
    const changed = await db.$transaction((tx) =>
      markRedemptionsUsed(tx, SHOP, [
        { shopifyId: "9001", discountCodes: ["reg-used-aaaa"] },
        { shopifyId: "9002", discountCodes: ["WELCOME10", "REG-USED-BBBB"] },
        { shopifyId: "9003", discountCodes: [] },
      ]),
    );
    expect(changed).toBe(2);
    const all = await db.redemption.findMany({ where: { customerId }, orderBy: { id: "asc" } });
    expect(all.map((r) => [r.shop === SHOP, r.code, r.status, r.usedOrderId])).toEqual([
      [true, "REG-USED-AAAA", "used", "9001"],
      [true, "REG-USED-BBBB", "used", "9002"],
      [true, "REG-KEEP-CCCC", "issued", null],
      [false, "REG-USED-AAAA", "issued", null],
    ]);
  });

  it("gives up on an attempt a crash left pending, once, with its points back", async () => {
    const customer = String(newId());
    const customerId = await memberWithPoints(customer, 200);
    const created = new Date(Date.now() - STALE_PENDING_MS - 1000);
    const pending = await db.$transaction(async (tx) => {
      const r = await tx.redemption.create({
        data: {
          shop: SHOP,
          customerId,
          rewardId: 1,
          pointsSpent: 200,
          status: "pending",
          code: "REG-LOST-AAAA",
          idempotencyKey: `lost-${customer}`,
          createdAt: created,
        },
      });
      const { appendEntry } = await import("../../app/loyalty/ledger.server");
      await appendEntry(tx, {
        shop: SHOP,
        customerId,
        delta: -200,
        kind: "redeem",
        reason: "Reward: lost",
        redemptionId: r.id,
        idempotencyKey: `redemption:${r.id}:spend`,
      });
      return r;
    });
    expect(await pointsOf(customer)).toBe(0);
    const first = await expireRedemptions(new Date());
    const second = await expireRedemptions(new Date());
    expect(first.abandoned).toBeGreaterThanOrEqual(1);
    expect(second.abandoned).toBe(0);
    expect(await pointsOf(customer)).toBe(200);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("failed");
    expect((await entriesOf(customer)).map((e) => e.idempotencyKey).slice(-1)).toEqual([`redemption:${pending.id}:refund`]);
  });
});
