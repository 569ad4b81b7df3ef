// Shopify's compliance webhooks and uninstall, end to end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { placesHolding, textColumns, useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf, waitFor } from "../support/ledger";
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
  await deliverWebhook(
    app.url,
    "customers/create",
    customerPayload(id, { email: `private-${id}@example.com`, first_name: "Ada", last_name: "Lovelace" }),
  );
  const order = orderPayload({ customerId: id, subtotal: "40.00" });
  await deliverWebhook(app.url, "orders/paid", {
    ...order,
    customer: { ...order.customer, id, email: `private-${id}@example.com`, first_name: "Ada", last_name: "Lovelace" },
  });
  await inboxDrained();
  return { id, order };
}

describe("GDPR", () => {
  it("customers/data_request exports the profile, orders and points history for the owner", async () => {
    const { id, order } = await shopperWithOrder();
    const request = {
      shop_id: 1,
      shop_domain: SHOP,
      orders_requested: [order.id],
      customer: { id, email: `private-${id}@example.com` },
      data_request: { id: 9001 },
    };
    expect((await deliverWebhook(app.url, "customers/data_request", request)).status).toBe(200);
    await inboxDrained();
    const exported = await db.dataExport.findFirstOrThrow({ where: { customerShopifyId: String(id) } });
    const data = JSON.parse(exported.payload);
    expect(data.requestId).toBe("9001");
    expect(data.customer).toMatchObject({
      email: `private-${id}@example.com`,
      firstName: "Ada",
      lastName: "Lovelace",
      pointsBalance: 40,
    });
    expect(data.orders).toHaveLength(1);
    expect(data.orders[0]).toMatchObject({ shopifyId: String(order.id), subtotal: 40 });
    expect(data.pointsHistory).toEqual([expect.objectContaining({ delta: 40, kind: "earn" })]);
  });

  it("customers/redact erases personal data but keeps the anonymous totals KPIs need", async () => {
    const { id, order } = await shopperWithOrder();
    await deliverWebhook(app.url, "customers/data_request", { shop_domain: SHOP, customer: { id }, orders_requested: [] });
    await inboxDrained();
    const redact = {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id, email: `private-${id}@example.com`, phone: null },
      orders_to_redact: [order.id],
    };
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
    ])
      expect(await count).toBe(0);
    // another shop's data is untouched
    expect(await db.order.count({ where: { shop: other } })).toBe(1);
    // and nothing else names the shop: not a reward, a redemption, an import job or the event itself
    expect(await placesHolding(SHOP)).toEqual([]);
  });
});

describe("customers/redact reaches every table", () => {
  /** A shopper as Shopify's payloads describe them: contact details, names and addresses. */
  function person(id: number) {
    const address = {
      first_name: `Adelina${id}`,
      last_name: `Lovelace${id}`,
      address1: `12 Byron Lane ${id}`,
      address2: `Flat ${id}`,
      city: `Ockham${id}`,
      zip: `OX${id}`,
      province: "Surrey",
      country: "United Kingdom",
      phone: `+44555${id}`,
      company: null,
    };
    return {
      email: `ada-${id}@example.com`,
      phone: `+44555${id}`,
      first_name: address.first_name,
      last_name: address.last_name,
      default_address: address,
      addresses: [address],
      billing_address: address,
      shipping_address: address,
      needles: [
        `ada-${id}@example.com`,
        `+44555${id}`,
        address.first_name,
        address.last_name,
        address.address1,
        address.city,
        address.zip,
      ],
    };
  }

  it("leaves the customer's email, name, phone and address in no text column, stored webhook bodies included", async () => {
    // With referrals on, the order's contact points are also kept, as hashes, for self-referral checks.
    const referralsOn = { referralBonusEnabled: true };
    await db.programSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, ...referralsOn }, update: referralsOn });
    const id = newId();
    const { needles, ...details } = person(id);
    const { default_address, addresses, email, phone, first_name, last_name } = details;
    expect(
      (
        await deliverWebhook(
          app.url,
          "customers/create",
          customerPayload(id, { email, phone, first_name, last_name, default_address, addresses }),
        )
      ).status,
    ).toBe(200);
    const order = orderPayload({ customerId: id, subtotal: "40.00" });
    const paid = {
      ...order,
      email,
      contact_email: email,
      phone,
      note: `Please call ${phone}`,
      customer: { ...order.customer, id, email, phone, first_name, last_name, default_address },
      billing_address: details.billing_address,
      shipping_address: details.shipping_address,
    };
    expect((await deliverWebhook(app.url, "orders/paid", paid)).status).toBe(200);
    await inboxDrained();
    // A second order of theirs still waiting in the inbox (a retry scheduled for later) when the
    // redaction arrives: it must lose the personal data but still earn once it is processed.
    const later = orderPayload({ customerId: id, subtotal: "10.00" });
    await db.webhookEvent.create({
      data: {
        shop: SHOP,
        eventId: `pending-${id}`,
        topic: "ORDERS_PAID",
        nextAttemptAt: new Date(Date.now() + 3600_000),
        payload: JSON.stringify({
          ...later,
          email,
          customer: { ...later.customer, id, email, phone, first_name, last_name },
          shipping_address: details.shipping_address,
        }),
      },
    });
    for (const needle of needles) expect(await placesHolding(needle), needle).not.toEqual([]);
    const member = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(id) } } });
    expect(await db.referralFingerprint.count({ where: { customerId: member.id } })).toBe(3); // email, phone, address

    const redact = { shop_id: 1, shop_domain: SHOP, customer: { id, email, phone }, orders_to_redact: [order.id] };
    expect((await deliverWebhook(app.url, "customers/redact", redact, { eventId: `redact-${id}` })).status).toBe(200);
    await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: `redact-${id}`, processedAt: { not: null } } }));

    expect((await textColumns()).length).toBeGreaterThan(20);
    for (const needle of needles) expect(await placesHolding(needle), needle).toEqual([]);
    expect(await db.referralFingerprint.count({ where: { customerId: member.id } })).toBe(0);

    // The waiting order is still processed, and earns: nothing owed was lost.
    await db.webhookEvent.updateMany({ where: { eventId: `pending-${id}` }, data: { nextAttemptAt: new Date() } });
    await inboxDrained();
    expect(await pointsOf(id)).toBe(50);
    for (const needle of needles) expect(await placesHolding(needle), needle).toEqual([]);
    expect(await db.referralFingerprint.count({ where: { customerId: member.id } })).toBe(0); // its body had lost them
    await db.programSettings.update({ where: { shop: SHOP }, data: { referralBonusEnabled: false } });
  });

  it("customers/data_request exports what is still held, stored webhook bodies and redemptions included", async () => {
    const id = newId();
    const { email } = person(id);
    const order = orderPayload({ customerId: id, subtotal: "25.00" });
    await deliverWebhook(app.url, "orders/paid", { ...order, customer: { ...order.customer, id, email } });
    await inboxDrained();
    const customer = await db.customer.findFirstOrThrow({ where: { shopifyId: String(id) } });
    const reward = await db.reward.create({
      data: { shop: SHOP, name: "$5 off", kind: "amount_off", pointsCost: 20, valueCents: 500 },
    });
    await db.redemption.create({
      data: {
        shop: SHOP,
        customerId: customer.id,
        rewardId: reward.id,
        pointsSpent: 20,
        status: "issued",
        code: "RG-EXPORT-1",
        idempotencyKey: `export-${id}`,
      },
    });
    await deliverWebhook(app.url, "customers/data_request", {
      shop_domain: SHOP,
      customer: { id, email },
      orders_requested: [order.id],
      data_request: { id: 77 },
    });
    await inboxDrained();
    const data = JSON.parse((await db.dataExport.findFirstOrThrow({ where: { customerShopifyId: String(id) } })).payload);
    expect(data.rewardsRedeemed).toEqual([expect.objectContaining({ reward: "$5 off", pointsSpent: 20, code: "RG-EXPORT-1" })]);
    const topics = data.webhookEvents.map((e: { topic: string }) => e.topic);
    expect(topics).toContain("ORDERS_PAID");
    const paid = data.webhookEvents.find((e: { topic: string }) => e.topic === "ORDERS_PAID");
    expect(paid.body.customer.email).toBe(email);
  });
});
