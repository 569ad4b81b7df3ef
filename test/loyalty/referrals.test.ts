// Referrals against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL), through the
// webhook routes' actions called in-process with deliveries signed as Shopify signs them, then
// the processor: GIVEN members and their codes, WHEN friends' orders arrive (with the cart
// attribute, or the code as a discount code; twice; at once), THEN the Referral rows and the
// ledger show who was paid, who was blocked and why. Take-backs: referral-takebacks.test.ts.
import { describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { referralPage } from "../../app/loyalty/referrals-list.server";
import { saveSettings } from "../../app/loyalty/settings.server";
import { memberView } from "../../app/loyalty/widget-view.server";
import { claim } from "../../app/webhooks/inbox.server";
import { processBatch } from "../../app/webhooks/processor.server";
import { customerPayload, newId } from "../support/shopify";
import {
  balance,
  customerId,
  deliver,
  member,
  newShop,
  paidOrder,
  processed,
  referralOf,
  referralRows,
  REFERRALS,
  useReferralTestApp,
} from "../support/referrals";

useReferralTestApp();

describe("a member's code and link (the widget's `referral` field)", () => {
  it("is made once, stays the same, even when asked for at once from several places; none for guests or when referrals are off", async () => {
    const shop = await newShop();
    const id = newId();
    await deliver(shop, "customers/create", customerPayload(id));
    await processed();
    const views = await Promise.all([1, 2, 3, 4, 5].map(() => memberView(shop, String(id))));
    const codes = new Set(views.map((v) => v.referral?.code));
    expect(codes.size).toBe(1);
    const [code] = codes;
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{7}$/);
    expect(views[0].referral).toEqual({ code, url: `https://${shop}/?ref=${code}` });
    expect((await memberView(shop, String(id))).referral?.code).toBe(code);
    expect(await db.referralCode.count({ where: { shop } })).toBe(1);

    expect((await memberView(shop, null)).referral).toBeNull(); // a guest
    expect((await memberView(shop, String(newId()))).referral).toBeNull(); // signed in, no Customer row yet
    const off = await newShop({ referralBonusEnabled: false });
    await deliver(off, "customers/create", customerPayload(id));
    await processed();
    expect((await memberView(off, String(id))).referral).toBeNull();
  });
});

describe("legitimate referrals", () => {
  it("pay both sides once on the friend's first paid order, however often (or at once) the order is delivered", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    const friend = newId();
    const order = paidOrder(friend, { code: advocate.code.toLowerCase() }); // as typed in a link: case does not matter
    await deliver(shop, "orders/paid", order, `paid-${order.id}`);
    await deliver(shop, "orders/paid", order, `paid-${order.id}`); // the same delivery again
    await deliver(shop, "orders/paid", order, `again-${order.id}`); // Shopify's retry under a new event id
    await deliver(shop, "orders/paid", order, `third-${order.id}`);
    await Promise.all([processed(), processed()]); // two processors at once (separate transactions on PostgreSQL)
    await deliver(shop, "orders/paid", order, `late-${order.id}`); // a late redelivery, after it was paid
    await processed();

    expect(await referralRows(shop, advocate.id)).toEqual(["200 advocate"]);
    expect(await referralRows(shop, friend)).toEqual(["100 referee"]);
    expect(await balance(shop, advocate.id)).toBe(200);
    expect(await balance(shop, friend)).toBe(50 + 100); // the order's own points and the welcome reward
    expect(await referralOf(shop, order.id)).toMatchObject({
      status: "rewarded",
      reason: null,
      advocatePoints: 200,
      refereePoints: 100,
    });

    // The friend's next order with the same code is not a referral again.
    const second = paidOrder(friend, { code: advocate.code, processedAt: "2026-11-05T10:00:00Z" });
    await deliver(shop, "orders/paid", second);
    await processed();
    expect(await referralOf(shop, second.id)).toMatchObject({ status: "blocked", reason: "referee_already_ordered" });
    expect(await balance(shop, advocate.id)).toBe(200);
  });

  it("count an order that used the member's code as a discount code (the welcome code), and ignore unknown codes", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    const friend = newId();
    const order = paidOrder(friend, { discountCodes: ["SPRING10", advocate.code] });
    await deliver(shop, "orders/paid", order);
    const stranger = paidOrder(newId(), { code: "ZZZZZZZ", discountCodes: ["SPRING10"] });
    await deliver(shop, "orders/paid", stranger);
    await processed();
    expect(await referralOf(shop, order.id)).toMatchObject({ status: "rewarded", code: advocate.code });
    expect(await referralOf(shop, stranger.id)).toBeNull();
    expect(await balance(shop, advocate.id)).toBe(200);
  });

  it("are not recorded while referrals are off, and no contact fingerprints are kept", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    await saveSettings(shop, { ...REFERRALS, referralBonusEnabled: false });
    const order = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", order);
    await processed();
    expect(await db.referral.count({ where: { shop } })).toBe(0);
    expect(await db.referralFingerprint.count({ where: { shop } })).toBe(0);
    expect(await balance(shop, advocate.id)).toBe(0);
  });
});

describe("fraud cases are blocked with their reason", () => {
  it("self-referral by the same customer, email, phone or shipping address; a friend who already ordered", async () => {
    const shop = await newShop();
    const advocate = await member(shop, "Ada.Advocate@example.com");
    // The advocate's own order tells us their phone and address (kept only as hashes).
    await deliver(
      shop,
      "orders/paid",
      paidOrder(advocate.id, { email: advocate.email, phone: "+1 555 010 0000", address: "1 Elm Street" }),
    );
    await processed();
    const stored = await db.referralFingerprint.findMany({ where: { shop, customerId: await customerId(shop, advocate.id) } });
    expect(stored.map((f) => f.hash.split(":")[0]).sort()).toEqual(["address", "email", "phone"]);
    for (const f of stored) expect(f.hash).toMatch(/^(email|phone|address):[0-9a-f]{64}$/); // hashes, never the values

    const cases: [string, ReturnType<typeof paidOrder>][] = [];
    const add = (expected: string, order: ReturnType<typeof paidOrder>) => cases.push([expected, order]);
    add("self_referral:customer", paidOrder(advocate.id, { code: advocate.code, processedAt: "2026-11-02T10:00:00Z" }));
    add("self_referral:email", paidOrder(newId(), { code: advocate.code, email: "ada.advocate+deal@EXAMPLE.com" }));
    add("self_referral:phone", paidOrder(newId(), { code: advocate.code, phone: "(555) 010-0000" }));
    add("self_referral:address", paidOrder(newId(), { code: advocate.code, address: "1, ELM street " }));
    const returning = newId();
    await deliver(shop, "orders/paid", paidOrder(returning, { processedAt: "2026-10-01T10:00:00Z" }));
    add("referee_already_ordered", paidOrder(returning, { code: advocate.code }));
    const legit = paidOrder(newId(), { code: advocate.code, address: "1 Elm Street", zip: "99999" }); // same street, another town
    for (const [, order] of cases) await deliver(shop, "orders/paid", order);
    await deliver(shop, "orders/paid", legit);
    await processed();

    const outcome = await Promise.all(
      cases.map(async ([expected, order]) => [expected, (await referralOf(shop, order.id))?.reason]),
    );
    expect(outcome.map(([, reason]) => reason)).toEqual(outcome.map(([expected]) => expected));
    expect(await referralOf(shop, legit.id)).toMatchObject({ status: "rewarded" });
    expect(await referralRows(shop, advocate.id)).toEqual(["200 advocate"]); // the one good referral only
    for (const [, order] of cases.slice(1)) expect(await referralRows(shop, order.customer.id)).toEqual([]);

    // The admin list shows each one with its reason in words.
    const { rows } = await referralPage(shop, { page: 1, status: null });
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.reason === "self_referral:phone")).toMatchObject({
      status: "blocked",
      advocate: { shopifyId: String(advocate.id) },
      reasonText: "Self-referral: same phone",
    });
    expect((await referralPage(shop, { page: 1, status: "blocked" })).rows).toHaveLength(5);
  });

  it("loops: the member was referred by this friend, directly or up a chain", async () => {
    const shop = await newShop();
    // Direct: S refers T; S then orders with T's code.
    const s = await member(shop);
    const t = newId();
    await deliver(shop, "orders/paid", paidOrder(t, { code: s.code }));
    await processed();
    const tCode = (await memberView(shop, String(t))).referral!.code;
    const back = paidOrder(s.id, { code: tCode });
    // A chain: P refers Q, Q refers R; P then orders with R's code.
    const p = await member(shop);
    const q = newId();
    await deliver(shop, "orders/paid", paidOrder(q, { code: p.code }));
    await processed();
    const r = newId();
    await deliver(shop, "orders/paid", paidOrder(r, { code: (await memberView(shop, String(q))).referral!.code }));
    await processed();
    const around = paidOrder(p.id, { code: (await memberView(shop, String(r))).referral!.code });
    await deliver(shop, "orders/paid", back);
    await deliver(shop, "orders/paid", around);
    await processed();
    expect((await referralOf(shop, back.id))?.reason).toBe("loop");
    expect((await referralOf(shop, around.id))?.reason).toBe("loop");
    expect(await db.referral.count({ where: { shop, status: "rewarded" } })).toBe(3); // S→T, P→Q, Q→R
  });

  it("past the monthly cap per member; the next month starts afresh, and blocked referrals do not count", async () => {
    const shop = await newShop({ referralMonthlyCap: 2 });
    const advocate = await member(shop);
    const at = (day: string) => ({ code: advocate.code, processedAt: `${day}T10:00:00Z` });
    const orders = [
      paidOrder(advocate.id, at("2026-11-01")), // self-referral: blocked, not counted
      paidOrder(newId(), at("2026-11-02")),
      paidOrder(newId(), at("2026-11-10")),
      paidOrder(newId(), at("2026-11-30")),
      paidOrder(newId(), at("2026-12-01")),
    ];
    for (const order of orders) {
      await deliver(shop, "orders/paid", order);
      await processed();
    }
    const reasons = await Promise.all(orders.map(async (o) => (await referralOf(shop, o.id))?.reason ?? "rewarded"));
    expect(reasons).toEqual(["self_referral:customer", "rewarded", "rewarded", "monthly_cap", "rewarded"]);
    expect(await balance(shop, advocate.id)).toBe(50 + 3 * 200);
  });
});

describe("two friends' orders applied at the same moment (separate transactions)", () => {
  it("keep the member within the monthly cap: the second one waits for the first and is blocked", async () => {
    const shop = await newShop({ referralMonthlyCap: 1 });
    const advocate = await member(shop);
    const first = paidOrder(newId(), { code: advocate.code });
    const second = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", first);
    await deliver(shop, "orders/paid", second);
    const one = await claim(1);
    const other = await claim(1);
    expect([one.length, other.length]).toEqual([1, 1]);
    await Promise.all([processBatch(one), processBatch(other)]);
    await processed(); // anything a failed transaction left for a retry
    const statuses = [(await referralOf(shop, first.id))?.status, (await referralOf(shop, second.id))?.status].sort();
    expect(statuses).toEqual(["blocked", "rewarded"]);
    expect(await balance(shop, advocate.id)).toBe(200);
  });
});
