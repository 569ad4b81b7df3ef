// Store-credit redemption without the HTTP server: the real modules, a real database (SQLite, or
// PostgreSQL with TEST_POSTGRES_URL), and Shopify's Admin API answered by the emulator inside this
// process (msw at the network edge), made to refuse, hang or lose its answer on demand.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import {
  CREDIT_REFUSED_REASON,
  expireRedemptions,
  redeem,
  redeemedBody,
  STALE_PENDING_MS,
  UNAVAILABLE_REASON,
} from "../../app/loyalty/redemption.server";
import { reconcile } from "../../app/loyalty/redemption-store-credit.server";
import { createReward as createOwnerReward, parseReward } from "../../app/loyalty/rewards.server";
import { adminFor } from "../../app/shopify/discounts.server";
import { writeFaults } from "../../app/shopify/emulator/admin-graphql";
import { readStoreCredits, type StoreCreditFault } from "../../app/shopify/emulator/store-credit";
import { creditStoreCredit, storeCreditBalances, storeCreditVariables } from "../../app/shopify/store-credit.server";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { entriesOf, pointsOf } from "../support/ledger";
import { memberWithPoints, storeOfflineSession } from "../support/proxy";
import { newId, SHOP } from "../support/shopify";

const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-emulator-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  process.env.SHOPIFY_ADMIN_BACKOFF_MS = "10";
  process.env.SHOPIFY_ADMIN_TIMEOUT_MS = "1500";
  return emulatorDir;
});
const fault = (storeCredit: StoreCreditFault | null) => writeFaults(dir, { storeCredit });
const creditsOf = (customer: string) => readStoreCredits(dir, SHOP).filter((c) => c.customerId === customer);

/** A $5 store credit for 500 points, lasting `days` when given. */
function storeCreditReward(o: { pointsCost?: number; valueCents?: number; days?: number | null } = {}) {
  return db.reward.create({
    data: {
      shop: SHOP,
      name: "$5 store credit",
      kind: "store_credit",
      pointsCost: o.pointsCost ?? 500,
      valueCents: o.valueCents ?? 500,
      creditExpiryDays: o.days ?? null,
    },
  });
}

const redeemFor = (customer: string, rewardId: number, key = `sc-${customer}-${Math.random().toString(36).slice(2)}`) =>
  redeem({ shop: SHOP, customerShopifyId: customer, rewardId, idempotencyKey: key });

beforeAll(async () => {
  await useFreshDatabase();
  await storeOfflineSession(SHOP);
});
beforeEach(() => fault(null));
afterAll(() => db.$disconnect());

describe("the store-credit reward", () => {
  it("needs a credit above zero; its expiry in days is optional; it has no minimum order", () => {
    expect(parseReward({ name: "Credit", kind: "store_credit", pointsCost: 500, valueCents: 500 })).toMatchObject({
      kind: "store_credit",
      valueCents: 500,
      creditExpiryDays: null,
      minimumSubtotalCents: null,
    });
    expect(
      parseReward({
        name: "C",
        kind: "store_credit",
        pointsCost: 5,
        valueCents: "250",
        creditExpiryDays: "90",
        minimumSubtotalCents: 1000,
      }),
    ).toMatchObject({ valueCents: 250, creditExpiryDays: 90, minimumSubtotalCents: null });
    expect(() => parseReward({ name: "C", kind: "store_credit", pointsCost: 5, valueCents: 0 })).toThrow();
    try {
      parseReward({ name: "C", kind: "store_credit", pointsCost: 5, valueCents: 100, creditExpiryDays: 0 });
      expect.unreachable();
    } catch (error) {
      expect((error as { fieldErrors: Record<string, string> }).fieldErrors).toHaveProperty("creditExpiryDays");
    }
  });

  it("the owner's form saves it", async () => {
    const saved = await createOwnerReward(SHOP, {
      name: "$10 credit",
      kind: "store_credit",
      pointsCost: 1000,
      valueCents: 1000,
      creditExpiryDays: 30,
    });
    expect(saved).toMatchObject({ kind: "store_credit", valueCents: 1000, creditExpiryDays: 30 });
    await db.reward.delete({ where: { id: saved.id } });
  });

  it("storeCreditAccountCredit gets the customer's GID, the amount as a decimal in the currency, the expiry, no email", () => {
    expect(
      storeCreditVariables({
        customerShopifyId: "42",
        amountCents: 550,
        currency: "EUR",
        expiresAt: new Date("2027-01-01T00:00:00Z"),
      }),
    ).toEqual({
      id: "gid://shopify/Customer/42",
      creditInput: {
        creditAmount: { amount: "5.50", currencyCode: "EUR" },
        expiresAt: "2027-01-01T00:00:00.000Z",
        notify: false,
      },
    });
  });
});

describe(`store-credit redemption (${usingPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  it("spends the points, credits the customer in Shopify and keeps the credit's transaction id", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 800);
    const reward = await storeCreditReward({ days: 30 });
    const before = Date.now();
    const result = await redeemFor(customer, reward.id);
    expect(result).toMatchObject({ ok: true, storeCredit: { amount: "5.00", currency: "USD" }, pointsSpent: 500, points: 300 });
    if (!result.ok) throw new Error("not redeemed");
    expect(redeemedBody(result)).toEqual({
      storeCredit: { amount: "5.00", currency: "USD" },
      pointsSpent: 500,
      points: 300,
      expiresAt: result.expiresAt,
    });
    const expires = Date.parse(result.expiresAt!);
    expect(expires - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 5000);
    expect(expires - before).toBeLessThanOrEqual(30 * 86_400_000 + 5000);

    const credits = creditsOf(customer);
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ amountCents: 500, currency: "USD", expiresAt: result.expiresAt });
    const row = await db.redemption.findUniqueOrThrow({ where: { id: result.redemptionId } });
    expect(row).toMatchObject({
      status: "issued",
      code: null,
      storeCreditTransactionId: credits[0].id,
      creditCents: 500,
      creditCurrency: "USD",
    });
    expect(await pointsOf(customer)).toBe(300);
    // the customer's balance in Shopify, as the admin's customer page reads it
    expect(await storeCreditBalances(await adminFor(SHOP), customer)).toEqual([
      { accountId: credits[0].accountId, amount: "5.00", currency: "USD" },
    ]);
  });

  it.each([
    ["refuses the credit (userErrors)", "userErrors", "shopify_refused", CREDIT_REFUSED_REASON],
    ["times out without crediting", "hang", "shopify_unavailable", UNAVAILABLE_REASON],
    ["keeps throttling", "throttled", "shopify_unavailable", UNAVAILABLE_REASON],
    ["fails with a 500 without crediting", "serverError", "shopify_unavailable", UNAVAILABLE_REASON],
  ] as const)("Shopify %s → points back, exactly one spend and return pair, no credit", async (_name, mode, error, reason) => {
    fault(mode);
    const customer = String(newId());
    await memberWithPoints(customer, 700);
    const reward = await storeCreditReward();
    const started = Date.now();
    const result = await redeemFor(customer, reward.id);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(result).toMatchObject({ ok: false, error, points: 700 });
    expect(await pointsOf(customer)).toBe(700);
    const pair = (await entriesOf(customer)).filter((e) => e.kind === "redeem");
    expect(pair.map((e) => [e.delta, e.reason])).toEqual([
      [-500, "Reward: $5 store credit"],
      [500, reason],
    ]);
    expect(pair.map((e) => e.idempotencyKey)).toEqual([
      `redemption:${pair[0].redemptionId}:spend`,
      `redemption:${pair[0].redemptionId}:refund`,
    ]);
    expect(await db.redemption.findUniqueOrThrow({ where: { id: pair[0].redemptionId! } })).toMatchObject({
      status: "failed",
      storeCreditTransactionId: null,
    });
    expect(creditsOf(customer)).toHaveLength(0);
  });

  it("a timeout after Shopify credited: the credit is found, kept on the redemption, the points stay spent — and a retry credits nothing more", async () => {
    fault("lostAnswer");
    const customer = String(newId());
    await memberWithPoints(customer, 500);
    const reward = await storeCreditReward({ days: 7 });
    const key = `lost-${customer}`;
    const first = await redeemFor(customer, reward.id, key);
    expect(first).toMatchObject({ ok: true, storeCredit: { amount: "5.00", currency: "USD" }, points: 0 });
    const credits = creditsOf(customer);
    expect(credits).toHaveLength(1);
    const row = await db.redemption.findUniqueOrThrow({ where: { id: (first as { redemptionId: number }).redemptionId } });
    expect(row).toMatchObject({ status: "issued", storeCreditTransactionId: credits[0].id });

    fault(null);
    const retry = await redeemFor(customer, reward.id, key);
    expect(retry).toMatchObject({ ok: true, repeated: true, redemptionId: row.id, storeCredit: { amount: "5.00" } });
    expect(creditsOf(customer)).toHaveLength(1);
    expect((await entriesOf(customer)).filter((e) => e.kind === "redeem").map((e) => e.delta)).toEqual([-500]);
  });

  it("the same key twice, and five times at once: one credit, one spend", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 2000);
    const reward = await storeCreditReward();
    const key = `same-${customer}`;
    const first = await redeemFor(customer, reward.id, key);
    const second = await redeemFor(customer, reward.id, key);
    expect(first).toMatchObject({ ok: true, repeated: false });
    expect(second).toMatchObject({ ok: true, repeated: true, redemptionId: (first as { redemptionId: number }).redemptionId });
    const together = await Promise.all(Array.from({ length: 5 }, () => redeemFor(customer, reward.id, `${key}-b`)));
    expect(together.every((r) => r.ok)).toBe(true);
    expect(new Set(together.map((r) => (r as { redemptionId: number }).redemptionId)).size).toBe(1);
    expect(creditsOf(customer)).toHaveLength(2);
    expect(await pointsOf(customer)).toBe(1000);
  });

  it("50 at once for a reward affordable twice: exactly 2 credits, never overspent, credits match the points spent", async () => {
    const customer = String(newId());
    const customerId = await memberWithPoints(customer, 1100);
    const reward = await storeCreditReward();
    let lowest = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const row = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
        lowest = Math.min(lowest, row.pointsBalance);
        await new Promise((r) => setTimeout(r, 5)); // the sampling interval: nothing waits on it
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => redeemFor(customer, reward.id, `fifty-${customer}-${i}`)),
    );
    sampling = false;
    await sampler;

    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.error === "not_enough_points")).toHaveLength(48);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await pointsOf(customer)).toBe(100);
    const credits = creditsOf(customer);
    expect(credits).toHaveLength(2);
    const spent = -(await entriesOf(customer)).filter((e) => e.kind === "redeem").reduce((t, e) => t + e.delta, 0);
    expect(spent).toBe(1000);
    expect(credits.reduce((t, c) => t + c.amountCents, 0)).toBe((spent / reward.pointsCost) * reward.valueCents);
    const issued = await db.redemption.findMany({ where: { customerId }, orderBy: { id: "asc" } });
    expect(issued.map((r) => r.status)).toEqual(["issued", "issued"]);
    expect(new Set(issued.map((r) => r.storeCreditTransactionId))).toEqual(new Set(credits.map((c) => c.id)));
  });

  it("the sweep settles attempts a crash left pending: issued when Shopify has the credit, points back when it has none", async () => {
    const credited = String(newId());
    const lost = String(newId());
    const old = new Date(Date.now() - STALE_PENDING_MS - 1000);
    const pending = async (customer: string) => {
      const customerId = await memberWithPoints(customer, 500);
      return db.$transaction(async (tx) => {
        const r = await tx.redemption.create({
          data: {
            shop: SHOP,
            customerId,
            rewardId: 1,
            pointsSpent: 500,
            status: "pending",
            idempotencyKey: `crash-${customer}`,
            creditCents: 500,
            creditCurrency: "USD",
            createdAt: old,
          },
        });
        const { appendEntry } = await import("../../app/loyalty/ledger.server");
        await appendEntry(tx, {
          shop: SHOP,
          customerId,
          delta: -500,
          kind: "redeem",
          reason: "Reward: credit",
          redemptionId: r.id,
          idempotencyKey: `redemption:${r.id}:spend`,
        });
        return r;
      });
    };
    const a = await pending(credited);
    const b = await pending(lost);
    // Shopify did credit the first one before the crash
    const made = await creditStoreCredit(await adminFor(SHOP), {
      customerShopifyId: credited,
      amountCents: 500,
      currency: "USD",
      expiresAt: null,
    });

    await expireRedemptions(new Date());
    await expireRedemptions(new Date());
    expect(await db.redemption.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({
      status: "issued",
      storeCreditTransactionId: made.transactionId,
    });
    expect(await pointsOf(credited)).toBe(0);
    expect((await db.redemption.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("failed");
    expect(await pointsOf(lost)).toBe(500);
    expect((await entriesOf(lost)).filter((e) => e.delta === 500 && e.kind === "redeem")).toHaveLength(1);
  });

  it("two lost answers at once and one credit in Shopify: exactly one attempt holds it, the other finds nothing", async () => {
    const customer = String(newId());
    const customerId = await memberWithPoints(customer, 0);
    const since = new Date(Date.now() - 1000);
    const attempts = await Promise.all(
      ["a", "b"].map((k) =>
        db.redemption.create({
          data: {
            shop: SHOP,
            customerId,
            rewardId: 1,
            pointsSpent: 500,
            status: "pending",
            idempotencyKey: `twin-${k}-${customer}`,
            creditCents: 500,
            creditCurrency: "USD",
            createdAt: since,
          },
        }),
      ),
    );
    const made = await creditStoreCredit(await adminFor(SHOP), {
      customerShopifyId: customer,
      amountCents: 500,
      currency: "USD",
      expiresAt: null,
    });
    const outcomes = await Promise.all(
      attempts.map((a) =>
        reconcile(null, {
          id: a.id,
          shop: SHOP,
          customerShopifyId: customer,
          creditCents: 500,
          currency: "USD",
          expiresAt: null,
          createdAt: since,
        }),
      ),
    );
    expect(outcomes.map((o) => o.status).sort()).toEqual(["issued", "not_credited"]);
    const rows = await db.redemption.findMany({ where: { customerId }, orderBy: { id: "asc" } });
    expect(rows.filter((r) => r.storeCreditTransactionId === made.transactionId)).toHaveLength(1);
  });

  it("an issued credit is not expired by the code sweep: its expiry is Shopify's, and the points never come back", async () => {
    await db.programSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, restorePointsOnExpiry: true },
      update: { restorePointsOnExpiry: true },
    });
    const customer = String(newId());
    await memberWithPoints(customer, 500);
    const reward = await storeCreditReward({ days: 1 });
    const result = await redeemFor(customer, reward.id);
    expect(result.ok).toBe(true);
    await expireRedemptions(new Date(Date.now() + 2 * 86_400_000));
    expect(
      (await db.redemption.findUniqueOrThrow({ where: { id: (result as { redemptionId: number }).redemptionId } })).status,
    ).toBe("issued");
    expect(await pointsOf(customer)).toBe(0);
    await db.programSettings.delete({ where: { shop: SHOP } });
  });
});
