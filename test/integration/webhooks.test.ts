// Webhooks end to end: signed deliveries to the real built server, a real database, the ledger read back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { entriesOf, inboxDrained, pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { customerPayload, deliverWebhook, newId, orderPayload, refundPayload, SHOP } from "../support/shopify";

let app: RunningApp;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
  app = await startApp(databaseUrl);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function paid(order: ReturnType<typeof orderPayload>, eventId?: string) {
  const delivery = await deliverWebhook(app.url, "orders/paid", order, { eventId });
  expect(delivery.status).toBe(200);
}

describe("orders/paid earns points", () => {
  it("awards floor(subtotal after discounts) points, ignoring shipping and tax", async () => {
    const customerId = newId();
    // subtotal 123.45 after discounts, total 140.95 with shipping and tax → 123 points
    await paid(orderPayload({ customerId, subtotal: "123.45", total: "140.95" }));
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(123);
    const [entry] = await entriesOf(customerId);
    expect(entry).toMatchObject({ kind: "earn", delta: 123 });
    expect(entry.idempotencyKey).toMatch(/^order:\d+:earn$/);
  });

  it("earns on shop money when the shopper paid in another currency", async () => {
    const customerId = newId();
    // Shop currency USD 50.00; the shopper saw EUR 46.10 → 50 points, from shop money.
    await paid(
      orderPayload({
        customerId,
        subtotal: "50.00",
        currency: "USD",
        presentment: { currency: "EUR", subtotal: "46.10", total: "46.10" },
      }),
    );
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(50);
  });

  it("gives nothing for a zero total, a test order or a guest, but records the orders", async () => {
    const customerId = newId();
    const zero = orderPayload({ customerId, subtotal: "0.00" });
    const test = orderPayload({ customerId, subtotal: "80.00", test: true });
    const guest = orderPayload({ customerId: null, subtotal: "80.00" });
    for (const order of [zero, test, guest]) await paid(order);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(0);
    const saved = await db.order.findMany({ where: { shopifyId: { in: [zero, test, guest].map((o) => String(o.id)) } } });
    expect(saved).toHaveLength(3);
    expect(saved.find((o) => o.shopifyId === String(guest.id))?.customerId).toBeNull();
    expect(saved.find((o) => o.shopifyId === String(test.id))?.test).toBe(true);
  });

  it("stores the order fields KPIs need, in cents", async () => {
    const order = orderPayload({ subtotal: "19.99", total: "25.49", processedAt: "2026-10-31T23:30:00-04:00" });
    await paid(order);
    await inboxDrained();
    const saved = await db.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: String(order.id) } });
    expect(saved).toMatchObject({ subtotalCents: 1999, totalCents: 2549, currency: "USD", financialStatus: "paid", test: false });
    expect(saved.processedAt.toISOString()).toBe("2026-11-01T03:30:00.000Z");
  });
});

describe("duplicates, retries and order of arrival", () => {
  it("awards once when the same delivery arrives 10 times at once", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "42.00" });
    const eventId = `evt-${order.id}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => deliverWebhook(app.url, "orders/paid", order, { eventId })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(42);
    expect(await db.webhookEvent.count({ where: { eventId } })).toBe(1);
  });

  it("awards once when the same order arrives under different event ids", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "30.00" });
    await Promise.all([paid(order), paid(order), paid(order)]);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(30);
  });

  it("applies a refund that arrives before its order once the order arrives", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "100.00" });
    expect((await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "25.00"))).status).toBe(200);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(0);
    await paid(order);
    await inboxDrained();
    // earned 100, refund of 25 of 100 → 25 back
    expect(await pointsOf(customerId)).toBe(75);
    expect((await entriesOf(customerId)).map((e) => [e.kind, e.delta])).toEqual([
      ["earn", 100],
      ["refund", -25],
    ]);
  });

  it("claws back in proportion, and partial refunds summing to the whole take back exactly all", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "123.45" });
    await paid(order);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(123);
    // 23.45 of 123.45 → floor(123 × 23.45 / 123.45) = 23 back
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "23.45"));
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(100);
    // 50.00 more (73.45 total) → floor(123 × 73.45 / 123.45) = 73 in all, so 50 more
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "50.00"));
    // the rest (123.45 total) → 123 in all
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "50.00"));
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(0);
    const saved = await db.order.findFirstOrThrow({ where: { shopifyId: String(order.id) } });
    expect(saved.refundedSubtotalCents).toBe(12345);
  });

  it("a cancellation after a partial refund takes back what the order still holds", async () => {
    const customerId = newId();
    await paid(orderPayload({ customerId, subtotal: "10.00" })); // another order: 10 points stay
    const order = orderPayload({ customerId, subtotal: "200.00" });
    await paid(order);
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "50.00")); // 50 back
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(160);
    const cancelled = { ...order, cancelled_at: "2026-11-04T10:00:00-05:00", cancel_reason: "customer" };
    expect((await deliverWebhook(app.url, "orders/cancelled", cancelled)).status).toBe(200);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(10);
    expect((await entriesOf(customerId)).map((e) => e.kind)).toEqual(["earn", "earn", "refund", "cancel"]);
    // a late duplicate of the cancellation changes nothing
    await deliverWebhook(app.url, "orders/cancelled", cancelled);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(10);
  });

  it("never takes a balance below zero; the shortfall is recorded", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "60.00" });
    await paid(order);
    await inboxDrained();
    const customer = await db.customer.findFirstOrThrow({ where: { shopifyId: String(customerId) } });
    // the shopper spent 50 of the 60 points (an owner adjustment stands in for a redemption here)
    await db.$transaction(async (tx) => {
      const { appendEntry } = await import("../../app/loyalty/ledger.server");
      await appendEntry(tx, {
        shop: SHOP,
        customerId: customer.id,
        delta: -50,
        kind: "adjust",
        reason: "test spend",
        idempotencyKey: `t:${customerId}`,
      });
    });
    await deliverWebhook(app.url, "orders/cancelled", { ...order, cancelled_at: "2026-11-04T10:00:00Z" });
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(0);
    const cancel = (await entriesOf(customerId)).find((e) => e.kind === "cancel");
    expect(cancel).toMatchObject({ delta: -10, shortfall: 50 });
  });
});

describe("signatures and bad input", () => {
  const ledgerRows = () => db.ledgerEntry.count();
  const inboxRows = () => db.webhookEvent.count();

  it.each([
    ["a wrong secret", { secret: "not-the-secret" }, 401],
    ["a missing HMAC header", { headers: { "X-Shopify-Hmac-Sha256": null } }, 400],
    ["a missing shop header", { headers: { "X-Shopify-Shop-Domain": null } }, 400],
  ])("rejects %s and leaves the ledger unchanged", async (_name, options, status) => {
    const before = [await ledgerRows(), await inboxRows()];
    const delivery = await deliverWebhook(app.url, "orders/paid", orderPayload(), options as never);
    expect(delivery.status).toBe(status);
    await inboxDrained();
    expect([await ledgerRows(), await inboxRows()]).toEqual(before);
  });

  it("rejects an altered body (signed one body, sent another) with 401", async () => {
    const before = [await ledgerRows(), await inboxRows()];
    const order = orderPayload({ subtotal: "10.00" });
    const { createHmac } = await import("node:crypto");
    const signed = createHmac("sha256", "test-webhook-secret").update(JSON.stringify(order)).digest("base64");
    const tampered = JSON.stringify({ ...order, subtotal_price: "10000.00" });
    const response = await fetch(`${app.url}/webhooks/orders/paid`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Hmac-Sha256": signed,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "w-1",
      },
      body: tampered,
    });
    expect(response.status).toBe(401);
    expect([await ledgerRows(), await inboxRows()]).toEqual(before);
  });

  it("answers 400 with a reason for malformed JSON and for a payload missing required fields", async () => {
    const before = [await ledgerRows(), await inboxRows()];
    const malformed = await deliverWebhook(app.url, "orders/paid", null, { rawBody: '{"id": 1, "subtotal_price": ' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatch(/not valid JSON/);
    const { subtotal_price: _dropped, ...incomplete } = orderPayload();
    const missing = await deliverWebhook(app.url, "orders/paid", incomplete);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error).toMatch(/subtotal_price/);
    expect([await ledgerRows(), await inboxRows()]).toEqual(before);
    expect(app.logs()).toMatch(/"event":"webhook.rejected"/);
  });

  it("answers 405 to GET on a webhook URL", async () => {
    expect((await fetch(`${app.url}/webhooks/orders/paid`)).status).toBe(405);
  });

  it("answers 400 when the topic header does not match the endpoint", async () => {
    const response = await fetch(`${app.url}/webhooks/orders/paid`, { method: "GET" });
    expect(response.status).toBe(405);
    const order = orderPayload();
    const { createHmac } = await import("node:crypto");
    const body = JSON.stringify(order);
    const wrongTopic = await fetch(`${app.url}/webhooks/orders/paid`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/cancelled",
        "X-Shopify-Hmac-Sha256": createHmac("sha256", "test-webhook-secret").update(body).digest("base64"),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "w-2",
      },
      body,
    });
    expect(wrongTopic.status).toBe(400);
  });
});

describe("customers", () => {
  it("customers/create gives the sign-up bonus only when the program has it on", async () => {
    const off = newId();
    await deliverWebhook(app.url, "customers/create", customerPayload(off));
    await inboxDrained();
    expect(await pointsOf(off)).toBe(0);

    await db.programSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, signupBonusEnabled: true, signupBonusPoints: 150 },
      update: { signupBonusEnabled: true, signupBonusPoints: 150 },
    });
    const on = newId();
    await deliverWebhook(app.url, "customers/create", customerPayload(on));
    await deliverWebhook(app.url, "customers/create", customerPayload(on)); // redelivered under a new event id
    await inboxDrained();
    expect(await pointsOf(on)).toBe(150);
    await db.programSettings.update({ where: { shop: SHOP }, data: { signupBonusEnabled: false } });
  });

  it("customers/update keeps the profile current without blanking known fields", async () => {
    const id = newId();
    await deliverWebhook(app.url, "customers/create", customerPayload(id));
    await deliverWebhook(app.url, "customers/update", customerPayload(id, { email: "new@example.com", first_name: null }));
    await inboxDrained();
    const customer = await db.customer.findFirstOrThrow({ where: { shopifyId: String(id) } });
    expect(customer).toMatchObject({ email: "new@example.com", firstName: "Riley", lastName: "Regular" });
  });
});

describe("tiers", () => {
  it("earns with the tier multiplier reached by rolling 12-month spend before the order", async () => {
    const tiers = [{ name: "Gold", minSpendCents: 100_00, multiplier: 1.5 }];
    await db.programSettings.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, tiersEnabled: true, tiers: JSON.stringify(tiers) },
      update: { tiersEnabled: true, tiers: JSON.stringify(tiers) },
    });
    try {
      const customerId = newId();
      const recent = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
      // first order: 120.00 at base rate → 120 points, and the customer reaches Gold
      await paid(orderPayload({ customerId, subtotal: "120.00", processedAt: recent }));
      await inboxDrained();
      expect(await pointsOf(customerId)).toBe(120);
      expect((await db.customer.findFirstOrThrow({ where: { shopifyId: String(customerId) } })).tier).toBe("Gold");
      // second order: 10.00 × 1.5 → 15 points
      await paid(orderPayload({ customerId, subtotal: "10.00", processedAt: recent }));
      await inboxDrained();
      expect(await pointsOf(customerId)).toBe(135);
    } finally {
      await db.programSettings.update({ where: { shop: SHOP }, data: { tiersEnabled: false } });
    }
  });
});

describe("balances", () => {
  it("every customer's cached balance equals the sum of their ledger rows", async () => {
    const customers = await db.customer.findMany({ include: { ledger: true } });
    expect(customers.length).toBeGreaterThan(10);
    const mismatched = customers.filter((c) => c.pointsBalance !== c.ledger.reduce((sum, e) => sum + e.delta, 0));
    expect(mismatched).toEqual([]);
  });
});
