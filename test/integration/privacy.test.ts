// Shopify's compliance webhooks and uninstall, end to end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { customerPayload, deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp(await useFreshDatabase());
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function shopperWithOrder() {
  const id = newId();
  await deliverWebhook(app.url, "customers/create", customerPayload(id, { email: `private-${id}@example.com`, first_name: "Ada", last_name: "Lovelace" }));
  const order = orderPayload({ customerId: id, subtotal: "40.00" });
  await deliverWebhook(app.url, "orders/paid", { ...order, customer: { ...order.customer, id, email: `private-${id}@example.com`, first_name: "Ada", last_name: "Lovelace" } });
  await inboxDrained();
  return { id, order };
}

describe("GDPR", () => {
  it("customers/data_request exports the profile, orders and points history for the owner", async () => {
    const { id, order } = await shopperWithOrder();
    const request = { shop_id: 1, shop_domain: SHOP, orders_requested: [order.id], customer: { id, email: `private-${id}@example.com` }, data_request: { id: 9001 } };
    expect((await deliverWebhook(app.url, "customers/data_request", request)).status).toBe(200);
    await inboxDrained();
    const exported = await db.dataExport.findFirstOrThrow({ where: { customerShopifyId: String(id) } });
    const data = JSON.parse(exported.payload);
    expect(data.requestId).toBe("9001");
    expect(data.customer).toMatchObject({ email: `private-${id}@example.com`, firstName: "Ada", lastName: "Lovelace", pointsBalance: 40 });
    expect(data.orders).toHaveLength(1);
    expect(data.orders[0]).toMatchObject({ shopifyId: String(order.id), subtotal: 40 });
    expect(data.pointsHistory).toEqual([expect.objectContaining({ delta: 40, kind: "earn" })]);
  });

  it("customers/redact erases personal data but keeps the anonymous totals KPIs need", async () => {
    const { id, order } = await shopperWithOrder();
    await deliverWebhook(app.url, "customers/data_request", { shop_domain: SHOP, customer: { id }, orders_requested: [] });
    await inboxDrained();
    const redact = { shop_id: 1, shop_domain: SHOP, customer: { id, email: `private-${id}@example.com`, phone: null }, orders_to_redact: [order.id] };
    expect((await deliverWebhook(app.url, "customers/redact", redact)).status).toBe(200);
    await inboxDrained();
    const customer = await db.customer.findFirstOrThrow({ where: { shopifyId: String(id) } });
    expect(customer).toMatchObject({ email: null, firstName: null, lastName: null, birthday: null });
    expect(customer.redactedAt).not.toBeNull();
    expect(await db.dataExport.count({ where: { customerShopifyId: String(id) } })).toBe(0);
    const everything = JSON.stringify(await db.customer.findMany()) + JSON.stringify(await db.ledgerEntry.findMany());
    expect(everything).not.toContain(`private-${id}@example.com`);
    // totals stay: the order still counts and the points are still owed
    expect(await db.order.count({ where: { shopifyId: String(order.id) } })).toBe(1);
    expect(await pointsOf(id)).toBe(40);
  });

  it("app/uninstalled removes sessions and keeps the data; shop/redact then deletes everything of that shop", async () => {
    const other = "another-shop.myshopify.com";
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: newId() }), { shop: other });
    await shopperWithOrder();
    await db.shop.create({ data: { domain: SHOP } });
    await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "x", accessToken: "shpat_test" } });

    await deliverWebhook(app.url, "app/uninstalled", { id: 1, domain: SHOP });
    await inboxDrained();
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).not.toBeNull();
    expect(await db.order.count({ where: { shop: SHOP } })).toBeGreaterThan(0);

    await deliverWebhook(app.url, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    await inboxDrained();
    for (const count of [
      db.order.count({ where: { shop: SHOP } }),
      db.customer.count({ where: { shop: SHOP } }),
      db.ledgerEntry.count({ where: { shop: SHOP } }),
      db.dataExport.count({ where: { shop: SHOP } }),
      db.refund.count({ where: { shop: SHOP } }),
      db.shop.count({ where: { domain: SHOP } }),
      db.webhookEvent.count({ where: { shop: SHOP, NOT: { topic: "SHOP_REDACT" } } }),
    ]) expect(await count).toBe(0);
    // another shop's data is untouched
    expect(await db.order.count({ where: { shop: other } })).toBe(1);
  });
});
