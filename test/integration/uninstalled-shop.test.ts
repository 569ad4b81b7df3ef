// Webhooks of a shop that has uninstalled: no session left, or an offline token that expired and
// can no longer be refreshed (Shopify refuses refreshes after uninstall). app/uninstalled and the
// compliance topics must still be answered 200 and processed — a 500 would make Shopify retry
// them for days (Shopify/shopify-app-js#3360 is that bug in authenticate.webhook).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, waitFor } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload } from "../support/shopify";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp(await useFreshDatabase());
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function shopWithData(shop: string, session: "none" | "expired") {
  await db.shop.create({ data: { domain: shop } });
  if (session === "expired") {
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        scope: "read_orders",
        accessToken: "shpat_expired",
        expires: new Date(Date.now() - 3600_000),
        refreshToken: "shprt_revoked_at_uninstall",
        refreshTokenExpires: new Date(Date.now() + 86_400_000),
      },
    });
  }
  const customerId = newId();
  expect((await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId }), { shop })).status).toBe(200);
  await inboxDrained();
  return customerId;
}

describe.each([
  ["with no session", "none"],
  ["whose offline token expired and cannot be refreshed", "expired"],
] as const)("a shop %s", (_label, session) => {
  const shop = `gone-${session}.myshopify.com`;

  it("gets 200 for app/uninstalled, customers/redact and shop/redact, and each is processed", async () => {
    const customerId = await shopWithData(shop, session);
    for (const [topic, payload] of [
      ["app/uninstalled", { id: 1, domain: shop }],
      [
        "customers/redact",
        { shop_id: 1, shop_domain: shop, customer: { id: customerId, email: "gone@example.com" }, orders_to_redact: [] },
      ],
      ["customers/data_request", { shop_id: 1, shop_domain: shop, customer: { id: customerId }, orders_requested: [] }],
    ] as const) {
      const eventId = `${topic}-${session}`;
      expect((await deliverWebhook(app.url, topic, payload, { shop, eventId })).status, topic).toBe(200);
      await waitFor(() => db.webhookEvent.findFirst({ where: { eventId, processedAt: { not: null } } }));
    }
    expect((await db.shop.findUniqueOrThrow({ where: { domain: shop } })).uninstalledAt).not.toBeNull();
    expect(await db.session.count({ where: { shop } })).toBe(0);

    expect((await deliverWebhook(app.url, "shop/redact", { shop_id: 1, shop_domain: shop }, { shop })).status).toBe(200);
    await inboxDrained();
    expect(await db.order.count({ where: { shop } })).toBe(0);
    expect(await db.shop.count({ where: { domain: shop } })).toBe(0);
    expect(app.logs()).not.toMatch(/"status":5\d\d/);
  });
});
