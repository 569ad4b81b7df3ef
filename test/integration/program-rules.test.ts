// The shopper- and owner-facing ends of bonuses, tiers and expiry reminders, end to end: the real
// built server and database, requests signed as Shopify's app proxy and the admin sign them.
// POST /proxy/api/birthday; GET /proxy/api/member's birthday, tierProgress and expiring; the
// customer page's tier history and "N points expire on …".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { moveTiers } from "../../app/loyalty/tiers.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { BROWSER_USER_AGENT, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { memberWithPoints, proxyFetch } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { customerPayload, deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";
import { entriesOf, inboxDrained } from "../support/ledger";

let app: RunningApp;
const DAY = 86_400_000;

beforeAll(async () => {
  const url = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, currency: "USD", timezone: "UTC" } });
  await db.programSettings.create({
    data: {
      shop: SHOP,
      birthdayBonusEnabled: true,
      tiersEnabled: true,
      expiryEnabled: true,
      expiryMonths: 12,
      expiryReminderDays: 90,
      tiers: JSON.stringify([
        { name: "Silver", minSpendCents: 20_000, multiplier: 1.25, entryRewardPoints: 50, perks: "Early access" },
        { name: "Gold", minSpendCents: 50_000, multiplier: 1.5, entryRewardPoints: 100, perks: "" },
      ]),
    },
  });
  await storeAdminSessions(SHOP);
  app = await startApp(url, { WEB_CONCURRENCY: "1" });
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const birthday = (
  customer: number | null,
  body: unknown,
  headers: Record<string, string> = { "Content-Type": "application/json" },
) =>
  proxyFetch(app.url, "api/birthday", {
    customer,
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /proxy/api/birthday", () => {
  it("stores MM-DD for the signed-in customer, shown by GET /proxy/api/member; 29 February is accepted", async () => {
    const customer = newId();
    expect((await proxyFetch(app.url, "api/member", { customer })).body.birthday).toBeNull();
    const res = await birthday(customer, { birthday: "02-29" });
    expect([res.status, res.body]).toEqual([200, { birthday: "02-29" }]);
    expect((await proxyFetch(app.url, "api/member", { customer })).body.birthday).toBe("02-29");
    // A form post works too, and the same date again is no change.
    const form = await birthday(customer, "birthday=02-29", { "Content-Type": "application/x-www-form-urlencoded" });
    expect([form.status, form.body]).toEqual([200, { birthday: "02-29" }]);
  });

  it("answers 409 with the day it may change again for a second change within 365 days, and keeps the first", async () => {
    const customer = newId();
    await birthday(customer, { birthday: "07-14" });
    const res = await birthday(customer, { birthday: "07-15" });
    const changeableOn = new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "birthday_locked", birthday: "07-14" });
    expect([changeableOn, new Date(Date.now() + 365 * DAY - 60_000).toISOString().slice(0, 10)]).toContain(res.body.changeableOn);
    expect(res.body.message).toContain(res.body.changeableOn);
    expect((await proxyFetch(app.url, "api/member", { customer })).body.birthday).toBe("07-14");
  });

  it.each([
    ["02-30", "Month 2 has no day 30."],
    ["13-01", "There is no month 13: use 01 to 12."],
    ["1990-07-14", "Give the birthday as MM-DD, for example 04-23."],
    [null, "Give the birthday as MM-DD, for example 04-23."],
  ])("answers 400 with the reason for %s and stores nothing", async (value, reason) => {
    const customer = newId();
    const res = await birthday(customer, { birthday: value });
    expect([res.status, res.body]).toEqual([400, { error: "invalid_birthday", message: reason }]);
    expect(await db.customer.findUnique({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(customer) } } })).toBeNull();
  });

  it("refuses guests (403), bad JSON (400), unsigned requests (401) and GET (405)", async () => {
    expect((await birthday(null, { birthday: "01-01" })).status).toBe(403);
    expect((await birthday(newId(), "{nope")).body).toMatchObject({ error: "bad_json" });
    expect(
      (await proxyFetch(app.url, "api/birthday", { customer: newId(), method: "POST", secret: "wrong", body: "{}" })).status,
    ).toBe(401);
    expect((await proxyFetch(app.url, "api/birthday", { customer: newId() })).status).toBe(405);
  });
});

describe("GET /proxy/api/member", () => {
  it("carries tier progress in the 365-day window and the points about to expire", async () => {
    const customer = newId();
    const id = await memberWithPoints(customer, 400);
    await db.customer.update({ where: { id }, data: { enrolledAt: new Date(Date.now() - 400 * DAY) } });
    const processedAt = new Date(Date.now() - 300 * DAY); // expires in about 65 days: inside the 90-day reminder
    await db.order.create({
      data: {
        shop: SHOP,
        shopifyId: `${customer}1`,
        customerId: id,
        processedAt,
        subtotalCents: 25_000,
        totalCents: 25_000,
        currency: "USD",
      },
    });
    const { body } = await proxyFetch(app.url, "api/member", { customer });
    expect(body.tier).toEqual({ name: "Silver", multiplier: 1.25, perks: "Early access" });
    expect(body.tierProgress).toEqual({ spend: 250, windowDays: 365, nextTierAt: 500, spendNeeded: 250 });
    const on = new Date(processedAt.getTime() + 365 * DAY); // 12 months on, within a day of 365 days
    expect(body.expiring.points).toBe(400);
    expect(Math.abs(Date.parse(`${body.expiring.on}T00:00:00Z`) - on.getTime())).toBeLessThan(2 * DAY);
  });

  it("has no expiring points for a member who ordered recently, and null birthday and progress for a guest", async () => {
    const customer = newId();
    const id = await memberWithPoints(customer, 50);
    await db.order.create({
      data: {
        shop: SHOP,
        shopifyId: `${customer}1`,
        customerId: id,
        processedAt: new Date(),
        subtotalCents: 1000,
        totalCents: 1000,
        currency: "USD",
      },
    });
    expect((await proxyFetch(app.url, "api/member", { customer })).body.expiring).toBeNull();
    const guest = (await proxyFetch(app.url, "api/member", { customer: null })).body;
    expect(guest).toMatchObject({ birthday: null, tierProgress: null, expiring: null });
  });
});

describe("webhooks", () => {
  it("read Shopify's facts.birth_date from customers/update, and pay and take back the first-order bonus with the order", async () => {
    await db.programSettings.update({ where: { shop: SHOP }, data: { firstOrderBonusEnabled: true, firstOrderBonusPoints: 75 } });
    const customer = newId();
    const metafields = [{ namespace: "facts", key: "birth_date", value: "1991-03-15", type: "date" }];
    expect((await deliverWebhook(app.url, "customers/update", customerPayload(customer, { metafields }))).status).toBe(200);
    const order = orderPayload({ customerId: customer, subtotal: "10.00" });
    expect((await deliverWebhook(app.url, "orders/paid", order)).status).toBe(200);
    await inboxDrained();
    expect((await proxyFetch(app.url, "api/member", { customer })).body.birthday).toBe("03-15");
    expect((await entriesOf(customer)).map((e) => `${e.kind} ${e.delta} ${e.reason}`)).toEqual([
      `earn 10 Order ${order.name}`,
      `bonus 75 First-order bonus (order ${order.name})`,
    ]);
    expect((await deliverWebhook(app.url, "orders/cancelled", { ...order, cancelled_at: new Date().toISOString() })).status).toBe(
      200,
    );
    await inboxDrained();
    expect((await entriesOf(customer)).map((e) => `${e.kind} ${e.delta}`)).toEqual([
      "earn 10",
      "bonus 75",
      "cancel -10",
      "cancel -75",
    ]);
    await db.programSettings.update({ where: { shop: SHOP }, data: { firstOrderBonusEnabled: false } });
  });
});

describe("the customer page", () => {
  it("shows the tier history and the points that expire, and on which day", async () => {
    const customer = newId();
    const id = await memberWithPoints(customer, 1234);
    await db.customer.update({ where: { id }, data: { enrolledAt: new Date("2020-01-01T00:00:00Z") } });
    await db.order.create({
      data: {
        shop: SHOP,
        shopifyId: `${customer}1`,
        customerId: id,
        processedAt: new Date(Date.now() - 300 * DAY),
        subtotalCents: 60_000,
        totalCents: 60_000,
        currency: "USD",
      },
    });
    const program = await loadProgram(db, SHOP);
    await db.$transaction((tx) => moveTiers(tx, SHOP, program, [id], "daily"));
    const page = await fetch(embeddedUrl(app.url, `/app/customers/${customer}`), {
      headers: { "User-Agent": BROWSER_USER_AGENT },
    });
    expect(page.status).toBe(200);
    const html = (await page.text()).replace(/<!-- -->/g, "");
    expect(html).toContain("Tier history");
    expect(html).toMatch(/No tier → Gold/);
    expect(html).toContain("12-month window moved on");
    expect(html).toContain("+100 points");
    expect(html).toMatch(/1,334 points expire on [A-Z][a-z]{2} \d{1,2}, \d{4}/); // 1,234 + the 100-point entry reward
  });
});
