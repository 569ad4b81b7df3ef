// The orders/paid route's action called in-process with the request Shopify sends, on a real
// database: how the database tier tests a route, with no build and no server. GIVEN a delivery
// signed as Shopify signs it, WHEN the action takes it (again, under the same event id), THEN one
// event is recorded for the processor; a bad signature is a 401 with its reason, recording nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { TEST_API_KEY, TEST_SECRET } from "../support/server";
import { newId, orderPayload, SHOP, webhookRequest } from "../support/shopify";

const APP_URL = "https://regulars.example";
let action: (args: ActionFunctionArgs) => Promise<Response>;

beforeAll(async () => {
  // The app's configuration is read once, on first use: the test app's credentials, then the modules.
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP_URL });
  await useFreshDatabase();
  ({ action } = await import("../../app/routes/webhooks.orders.paid"));
});
afterAll(() => db.$disconnect());

const take = (request: Request) => action({ request, params: {}, context: {} });

describe("orders/paid through the route's action", () => {
  it("records a signed delivery once, however often it is delivered", async () => {
    const order = orderPayload({ customerId: newId(), subtotal: "42.00" });
    const eventId = `in-process-${order.id}`;
    expect((await take(webhookRequest(APP_URL, "orders/paid", order, { eventId }))).status).toBe(200);
    expect((await take(webhookRequest(APP_URL, "orders/paid", order, { eventId }))).status).toBe(200);
    const recorded = await db.webhookEvent.findMany({ where: { shop: SHOP, eventId } });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ topic: "ORDERS_PAID", processedAt: null, attempts: 0 });
    expect(JSON.parse(recorded[0].payload!)).toMatchObject({ id: order.id, subtotal_price: "42.00" });
  });

  it("refuses a delivery signed with another secret: 401, the reason, nothing recorded", async () => {
    const order = orderPayload({ customerId: newId() });
    const eventId = `forged-${order.id}`;
    const response = await take(webhookRequest(APP_URL, "orders/paid", order, { eventId, secret: "not-our-secret" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "invalid HMAC signature" });
    expect(await db.webhookEvent.count({ where: { eventId } })).toBe(0);
  });
});
