// Shopify's copy of the program, end to end: signed webhooks into the real server, which sends
// members' metafields and Flow triggers to Shopify's Admin API (the emulator, inside the server
// process), whose logs are what Shopify received.
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { readLog, writeFaults } from "../../app/shopify/emulator/admin-graphql";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { storeOfflineSession } from "../support/proxy";
import { startApp, TEST_SECRET, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";
import { waitFor } from "../support/wait";

let app: RunningApp;
const emulatorDir = mkdtempSync(path.join(tmpdir(), "regulars-emulator-"));
const OTHER_SHOP = "regulars-no-flow.myshopify.com";

type SetCall = {
  shop: string;
  field: string;
  outcome: string;
  metafields?: Array<{ ownerId: string; key: string; value: string }>;
};
type Fired = { shop: string; handle: string; payload: Record<string, unknown>; outcome: string };
const sets = (shop = SHOP) =>
  readLog<SetCall>(emulatorDir, "metafields.jsonl").filter((c) => c.shop === shop && c.field === "metafieldsSet");
const fired = (shop = SHOP) => readLog<Fired>(emulatorDir, "flow.jsonl").filter((f) => f.shop === shop);
/** The last points value Shopify accepted for a customer. */
const shopifyPoints = (customer: number, shop = SHOP) => {
  const ok = sets(shop).filter((c) => c.outcome === "ok");
  const values = ok
    .flatMap((c) => c.metafields ?? [])
    .filter((m) => m.ownerId === `gid://shopify/Customer/${customer}` && m.key === "points");
  return values.length ? Number(values[values.length - 1].value) : null;
};

beforeAll(async () => {
  const databaseUrl = await useFreshDatabase();
  app = await startApp(databaseUrl, {
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: emulatorDir,
    SHOPIFY_ADMIN_TIMEOUT_MS: "1500",
    REGULARS_SHOPIFY_SYNC_MS: "200",
    REGULARS_METAFIELD_DEBOUNCE_MS: "1000",
  });
  await storeOfflineSession(SHOP);
  await storeOfflineSession(OTHER_SHOP);
});
beforeEach(() => writeFaults(emulatorDir, {}));
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function lifecycle(trigger: string, enabled: boolean, shop = SHOP) {
  const body = JSON.stringify({
    flow_trigger_definition_id: trigger,
    has_enabled_flow: enabled,
    shop_id: 1,
    shopify_domain: shop,
    timestamp: new Date().toISOString(),
  });
  return fetch(`${app.url}/flow/lifecycle`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": createHmac("sha256", TEST_SECRET).update(body).digest("base64"),
    },
    body,
  });
}

describe(`metafields follow the ledger (${usingPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  it("ten paid orders: within seconds one metafieldsSet carries every customer's new balance", async () => {
    const before = sets().length;
    const customers = Array.from({ length: 10 }, () => newId());
    const deliveries = await Promise.all(
      customers.map((customerId, i) =>
        deliverWebhook(app.url, "orders/paid", orderPayload({ customerId, subtotal: `${10 * (i + 1)}.00` })),
      ),
    );
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill(200));
    await inboxDrained();
    const started = Date.now();
    await waitFor(() => customers.every((c) => shopifyPoints(c) !== null), {
      timeoutMs: 10_000,
      what: "the ten balances in Shopify",
    });
    const lagMs = Date.now() - started;
    const calls = sets().slice(before);
    expect(calls).toHaveLength(1); // one batched call for all ten changes
    for (const [i, c] of customers.entries()) expect(shopifyPoints(c)).toBe(10 * (i + 1));
    for (const c of customers) expect(shopifyPoints(c)).toBe(await pointsOf(c));
    console.log(`metafields in Shopify ${lagMs} ms after the inbox drained (debounce 1000 ms)`);
  });

  it("after THROTTLED the write is sent again and lands", async () => {
    writeFaults(emulatorDir, { metafields: "throttledOnce" });
    const customer = newId();
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: customer, subtotal: "42.00" }));
    await waitFor(() => shopifyPoints(customer) === 42, { timeoutMs: 15_000, what: "the balance after a throttle" });
    const mine = sets().filter(
      (c) => (c.metafields ?? []).some((m) => m.ownerId.endsWith(`/${customer}`)) || c.outcome === "throttled",
    );
    expect(mine.map((c) => c.outcome).slice(-2)).toEqual(["throttled", "ok"]);
  });

  it("a Shopify that hangs does not hold up webhook processing", async () => {
    writeFaults(emulatorDir, { metafields: "hang", flow: "hang" });
    const customers = Array.from({ length: 5 }, () => newId());
    const started = Date.now();
    for (const customerId of customers) {
      const d = await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId, subtotal: "7.00" }));
      expect(d.status).toBe(200);
    }
    await inboxDrained(5_000);
    const processedMs = Date.now() - started;
    for (const c of customers) expect(await pointsOf(c)).toBe(7);
    expect(customers.map((c) => shopifyPoints(c))).toEqual(Array(5).fill(null)); // Shopify has nothing yet
    writeFaults(emulatorDir, {});
    await waitFor(() => customers.every((c) => shopifyPoints(c) === 7), {
      timeoutMs: 20_000,
      what: "the balances once Shopify answers",
    });
    console.log(`5 orders processed in ${processedMs} ms while Shopify hung`);
  });
});

describe("Flow triggers", () => {
  it("points earned: fired once per order, with its payload, only for the shop whose workflow uses it", async () => {
    expect((await lifecycle("regulars-points-earned", true)).status).toBe(200);
    const customer = newId();
    const order = orderPayload({ customerId: customer, subtotal: "25.00" });
    await deliverWebhook(app.url, "orders/paid", order);
    await deliverWebhook(app.url, "orders/paid", order); // Shopify delivers again (a new event id): no new fact
    const other = newId();
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: other, subtotal: "25.00" }), { shop: OTHER_SHOP });
    await inboxDrained();

    const mine = () => fired().filter((f) => f.payload.customer_id === customer);
    await waitFor(() => mine().length > 0, { timeoutMs: 10_000, what: "the points-earned trigger" });
    await waitFor(() => shopifyPoints(other, OTHER_SHOP) === 25, { timeoutMs: 10_000, what: "the other shop's sync" });
    // Both shops' senders have run since; nothing more is coming.
    await waitFor(async () => (await db.flowEvent.count({ where: { sentAt: null } })) === 0, { what: "every event sent" });
    expect(mine()).toEqual([
      expect.objectContaining({
        handle: "regulars-points-earned",
        outcome: "ok",
        payload: { customer_id: customer, Points: 25, Balance: 25, Reason: `Order ${order.name}`, Tier: "" },
      }),
    ]);
    expect(fired(OTHER_SHOP)).toEqual([]);
  });

  it("the lifecycle callback refuses an unsigned request", async () => {
    const response = await fetch(`${app.url}/flow/lifecycle`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-hmac-sha256": "bm9wZQ==" },
      body: JSON.stringify({
        flow_trigger_definition_id: "regulars-points-earned",
        has_enabled_flow: false,
        shopify_domain: SHOP,
        timestamp: new Date().toISOString(),
        id: randomUUID(),
      }),
    });
    expect(response.status).toBe(401);
    expect(
      await db.flowTriggerUse.findUniqueOrThrow({ where: { shop_trigger: { shop: SHOP, trigger: "regulars-points-earned" } } }),
    ).toMatchObject({ enabled: true });
  });
});
