// Referrals end to end on the built server: the owner turns them on through the JSON API (bad
// values refused field by field, nothing saved), the member's link comes from the storefront's
// `GET /proxy/api/member`, the friend's signed orders/paid carries the cart attribute, and the
// admin's Referrals page lists the outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { adminHeaders, BROWSER_USER_AGENT, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { proxyFetch, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { customerPayload, deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

let app: RunningApp;

beforeAll(async () => {
  const url = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
  await storeAdminSessions(SHOP);
  await storeOfflineSession(SHOP);
  app = await startApp(url);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const patchProgram = (body: unknown) =>
  fetch(`${app.url}/app/api/program`, {
    method: "PATCH",
    headers: { ...adminHeaders(), "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

describe("referrals through the app's doors", () => {
  it("are set up through the JSON API: bad values are 400 with field errors and nothing saved", async () => {
    const bad = await patchProgram({ referralBonusEnabled: true, referralMonthlyCap: 0, referralReturnWindowDays: "a month" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual({
      referralMonthlyCap: "Enter at least 1",
      referralReturnWindowDays: "Enter days",
    });
    expect((await loadProgram(db, SHOP)).referralBonusEnabled).toBe(false);

    const good = await patchProgram({ referralBonusEnabled: true, referralWelcomePoints: 150, referralMonthlyCap: 5 });
    expect(good.status).toBe(200);
    expect((await good.json()).settings).toMatchObject({
      referralBonusEnabled: true,
      referralBonusPoints: 200,
      referralWelcomePoints: 150,
      referralMonthlyCap: 5,
      referralReturnWindowDays: 30,
    });
  });

  it("give a member a link in the widget, pay both sides for a friend's order and list it for the owner", async () => {
    const advocate = newId();
    expect((await deliverWebhook(app.url, "customers/create", customerPayload(advocate))).status).toBe(200);
    await inboxDrained();
    const member = await proxyFetch(app.url, "api/member", { customer: advocate });
    expect(member.status).toBe(200);
    const { code, url } = member.body.referral;
    expect(url).toBe(`https://${SHOP}/?ref=${code}`);
    expect((await proxyFetch(app.url, "api/member", { customer: advocate })).body.referral.code).toBe(code);
    expect((await proxyFetch(app.url, "api/member")).body.referral).toBeNull(); // a guest

    const friend = newId();
    const order = orderPayload({ customerId: friend, subtotal: "40.00" });
    const paid = {
      ...order,
      email: `friend-${friend}@example.com`,
      customer: { ...order.customer, email: `friend-${friend}@example.com` },
      note_attributes: [{ name: "regulars_referral", value: code }],
    };
    expect((await deliverWebhook(app.url, "orders/paid", paid)).status).toBe(200);
    expect((await deliverWebhook(app.url, "orders/paid", paid)).status).toBe(200); // Shopify retries
    await inboxDrained();
    expect(await pointsOf(advocate)).toBe(200);
    expect(await pointsOf(friend)).toBe(40 + 150);
    const history = (await proxyFetch(app.url, "api/member", { customer: friend })).body.history;
    expect(history).toContainEqual(expect.objectContaining({ kind: "referral", delta: 150 }));

    const list = await fetch(`${app.url}/app/referrals?_data=routes/app.referrals`, { headers: adminHeaders() });
    expect(list.status).toBe(200);
    const body = await list.json();
    expect(body.enabled).toBe(true);
    expect(body.rows).toEqual([
      expect.objectContaining({
        advocate: expect.objectContaining({ shopifyId: String(advocate) }),
        referee: expect.objectContaining({ shopifyId: String(friend) }),
        order: { shopifyId: String(order.id), name: order.name },
        status: "rewarded",
        reason: null,
        advocatePoints: 200,
        refereePoints: 150,
      }),
    ]);
    const page = await fetch(embeddedUrl(app.url, "/app/referrals"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Referrals");
    expect(html).toContain(order.name);
    expect(html).toContain("Rewarded");

    // The Program page shows the referral settings as saved.
    const program = await (
      await fetch(embeddedUrl(app.url, "/app/program"), { headers: { "User-Agent": BROWSER_USER_AGENT } })
    ).text();
    expect(program).toContain("The friend&#x27;s welcome reward");
    expect(program).toMatch(/name="referralMonthlyCap"[^>]*value="5"|value="5"[^>]*name="referralMonthlyCap"/);
  });
});
