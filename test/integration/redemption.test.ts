// Redemption end to end: the real server, a real database, Shopify's Admin API answered by the
// emulator at the network edge (inside the server process) and made to fail on demand.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { expireRedemptions } from "../../app/loyalty/redemption.server";
import { readLog, writeFaults, type DiscountFault } from "../../app/shopify/emulator/admin-graphql";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { entriesOf, inboxDrained, pointsOf } from "../support/ledger";
import { createReward, memberWithPoints, proxyFetch, redeemRequest, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

let app: RunningApp;
const emulatorDir = mkdtempSync(path.join(tmpdir(), "regulars-emulator-"));
const fault = (discounts: DiscountFault | null) => writeFaults(emulatorDir, { discounts });

beforeAll(async () => {
  const databaseUrl = await useFreshDatabase();
  app = await startApp(databaseUrl, {
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: emulatorDir,
    SHOPIFY_ADMIN_TIMEOUT_MS: "1500",
    SHOPIFY_ADMIN_BACKOFF_MS: "50",
    REGULARS_REDEEM_LIMIT: "0", // the database is what must hold here, not the rate limit
    WEB_CONCURRENCY: "2", // two HTTP processes race for the same points
  });
  await storeOfflineSession(SHOP);
});
beforeEach(() => fault(null));
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

describe(`concurrent redemptions (${usingPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  it("50 at once for a reward affordable twice: exactly 2 codes, the balance never below zero", async () => {
    const customer = newId();
    const customerId = await memberWithPoints(customer, 1100);
    const reward = await createReward(SHOP, { name: "$5 off", pointsCost: 500 });
    let lowest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
        lowest = Math.min(lowest, row.pointsBalance);
        await new Promise((r) => setTimeout(r, 5)); // the sampling interval: nothing waits on it
      }
    })();
    const results = await Promise.all(Array.from({ length: 50 }, () => redeemRequest(app.url, customer, reward.id)));
    sampling = false;
    await sampler;

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(48);
    expect(new Set(ok.map((r) => r.body.code)).size).toBe(2);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await pointsOf(customer)).toBe(100);
    const redemptions = await db.redemption.findMany({ where: { customerId } });
    expect(redemptions.map((r) => r.status).sort()).toEqual(["issued", "issued"]);
    const spends = (await entriesOf(customer)).filter((e) => e.kind === "redeem");
    expect(spends.map((e) => e.delta)).toEqual([-500, -500]);
    // Shopify got exactly two codes, each for this customer only, once
    const created = readLog<{ code: string; input: any }>(emulatorDir, "discounts.jsonl").filter((d) =>
      ok.some((r) => r.body.code === d.code),
    );
    expect(created).toHaveLength(2);
    for (const d of created) {
      expect(d.input.context).toEqual({ customers: { add: [`gid://shopify/Customer/${customer}`] } });
      expect(d.input.usageLimit).toBe(1);
      expect(d.input.appliesOncePerCustomer).toBe(true);
      expect(d.input.customerGets.value).toEqual({ discountAmount: { amount: "5.00", appliesOnEachItem: false } });
    }
  });
});

describe("the code in Shopify", () => {
  it("amount off: a single-use, customer-only code with an end date, a minimum subtotal and the shop's combinations", async () => {
    await db.programSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, codeExpiryDays: 14, combinesWithOrder: true, combinesWithProduct: false, combinesWithShipping: true },
      update: { codeExpiryDays: 14, combinesWithOrder: true, combinesWithProduct: false, combinesWithShipping: true },
    });
    const customer = newId();
    await memberWithPoints(customer, 1000);
    const reward = await createReward(SHOP, {
      name: "10% off",
      kind: "percent_off",
      percentOff: 10,
      pointsCost: 1000,
      minimumSubtotalCents: 5000,
    });
    const before = Date.now();
    const res = await redeemRequest(app.url, customer, reward.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pointsSpent: 1000, points: 0 });
    const expires = new Date(res.body.expiresAt).getTime();
    expect(expires - before).toBeGreaterThanOrEqual(14 * 86_400_000 - 5000);
    expect(expires - before).toBeLessThanOrEqual(14 * 86_400_000 + 5000);
    const [created] = readLog<{ code: string; kind: string; input: any }>(emulatorDir, "discounts.jsonl").filter(
      (d) => d.code === res.body.code,
    );
    expect(created.kind).toBe("basic");
    expect(created.input).toMatchObject({
      code: res.body.code,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      endsAt: res.body.expiresAt,
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } },
      combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: true },
      context: { customers: { add: [`gid://shopify/Customer/${customer}`] } },
    });
    const redemption = await db.redemption.findFirstOrThrow({ where: { code: res.body.code } });
    expect(redemption.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    await db.programSettings.delete({ where: { shop: SHOP } });
  });

  it("free shipping goes through the free-shipping mutation", async () => {
    const customer = newId();
    await memberWithPoints(customer, 800);
    const reward = await createReward(SHOP, { name: "Free shipping", kind: "free_shipping", pointsCost: 800 });
    const res = await redeemRequest(app.url, customer, reward.id);
    expect(res.status).toBe(200);
    const [created] = readLog<{ code: string; kind: string; input: any }>(emulatorDir, "discounts.jsonl").filter(
      (d) => d.code === res.body.code,
    );
    expect(created.kind).toBe("freeShipping");
    expect(created.input.destination).toEqual({ all: true });
    expect(created.input.customerGets).toBeUndefined();
  });
});

describe("when Shopify says no or does not answer", () => {
  it.each([
    ["refuses the code (userErrors)", "userErrors", 502, "shopify_refused", "Points returned: Shopify refused the code"],
    ["times out", "hang", 503, "shopify_unavailable", "Points returned: Shopify was unavailable"],
    ["keeps throttling", "throttled", 503, "shopify_unavailable", "Points returned: Shopify was unavailable"],
    ["fails with a 500", "serverError", 503, "shopify_unavailable", "Points returned: Shopify was unavailable"],
  ] as const)("Shopify %s → points restored, one ledger pair, a clear error", async (_name, mode, status, error, reason) => {
    fault(mode);
    const customer = newId();
    await memberWithPoints(customer, 700);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const res = await redeemRequest(app.url, customer, reward.id, { key: `fail-${mode}-${customer}` });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, points: 700 });
    expect(res.body.message).toMatch(/points were returned/);
    expect(await pointsOf(customer)).toBe(700);
    const pair = (await entriesOf(customer)).filter((e) => e.kind === "redeem");
    expect(pair.map((e) => [e.delta, e.reason])).toEqual([
      [-500, "Reward: $5 off"],
      [500, reason],
    ]);
    expect(pair.map((e) => e.idempotencyKey)).toEqual([
      `redemption:${pair[0].redemptionId}:spend`,
      `redemption:${pair[0].redemptionId}:refund`,
    ]);
    const redemption = await db.redemption.findUniqueOrThrow({ where: { id: pair[0].redemptionId! } });
    expect(redemption.status).toBe("failed");
    expect(redemption.error).toBeTruthy();
  });

  it("retries a throttled request with backoff and succeeds", async () => {
    fault("throttledOnce");
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const res = await redeemRequest(app.url, customer, reward.id);
    expect(res.status).toBe(200);
    const attempts = readLog<{ code: string; attempt: number }>(emulatorDir, "requests.jsonl").filter(
      (r) => r.code === res.body.code,
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(await pointsOf(customer)).toBe(0);
  });

  it("the shopper's retry with the same key after a failure is a fresh attempt that can succeed", async () => {
    fault("hang");
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const key = `retry-${customer}`;
    expect((await redeemRequest(app.url, customer, reward.id, { key })).status).toBe(503);
    fault(null);
    const retry = await redeemRequest(app.url, customer, reward.id, { key });
    expect(retry.status).toBe(200);
    expect(await pointsOf(customer)).toBe(0);
    expect((await entriesOf(customer)).filter((e) => e.kind === "redeem").map((e) => e.delta)).toEqual([-500, 500, -500]);
    // and from now on the key answers with that code
    const again = await redeemRequest(app.url, customer, reward.id, { key });
    expect(again.body.code).toBe(retry.body.code);
  });
});

describe("idempotency and the code's life", () => {
  it("the same idempotency key returns the same code and spends once, even concurrently", async () => {
    const customer = newId();
    await memberWithPoints(customer, 2000);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const key = `same-${customer}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => redeemRequest(app.url, customer, reward.id, { key })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.code)).size).toBe(1);
    const later = await redeemRequest(app.url, customer, reward.id, { key });
    expect(later.body).toMatchObject({ code: results[0].body.code, pointsSpent: 500, points: 1500 });
    expect(await pointsOf(customer)).toBe(1500);
    expect(readLog<{ code: string }>(emulatorDir, "discounts.jsonl").filter((d) => d.code === results[0].body.code)).toHaveLength(
      1,
    );
  });

  it("the order that uses the code (orders/paid discount_codes) marks the redemption used", async () => {
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const { body } = await redeemRequest(app.url, customer, reward.id);
    const order = orderPayload({ customerId: customer, subtotal: "40.00", discountCodes: [body.code.toLowerCase()] });
    expect((await deliverWebhook(app.url, "orders/paid", order)).status).toBe(200);
    await inboxDrained();
    const redemption = await db.redemption.findFirstOrThrow({ where: { code: body.code } });
    expect(redemption).toMatchObject({ status: "used", usedOrderId: String(order.id) });
    expect(await pointsOf(customer)).toBe(40); // the order earned as usual
    // the member view still shows the spend in the history
    const member = await proxyFetch(app.url, "api/member", { customer });
    expect(member.body.history.map((h: { kind: string }) => h.kind)).toEqual(["earn", "redeem", "adjust"]);
  });

  it("unused codes expire; points come back only when the shop chooses so, once", async () => {
    const reward = await createReward(SHOP, { pointsCost: 300 });
    const keep = newId();
    const restore = newId();
    await memberWithPoints(keep, 300);
    await memberWithPoints(restore, 300);
    const a = await redeemRequest(app.url, keep, reward.id);
    expect(a.status).toBe(200);
    const later = new Date(Date.now() + 31 * 86_400_000);
    await expireRedemptions(later);
    expect((await db.redemption.findFirstOrThrow({ where: { code: a.body.code } })).status).toBe("expired");
    expect(await pointsOf(keep)).toBe(0);

    await db.programSettings.create({ data: { shop: SHOP, restorePointsOnExpiry: true } });
    const b = await redeemRequest(app.url, restore, reward.id);
    await expireRedemptions(later);
    await expireRedemptions(later);
    expect((await db.redemption.findFirstOrThrow({ where: { code: b.body.code } })).status).toBe("expired");
    expect(await pointsOf(restore)).toBe(300);
    expect((await entriesOf(restore)).filter((e) => e.delta === 300 && e.kind === "redeem")).toHaveLength(1);
    await db.programSettings.delete({ where: { shop: SHOP } });
  });
});
