// Referral rewards taken back, and a member's referral data exported and erased, against a real
// database (SQLite, or PostgreSQL with TEST_POSTGRES_URL), through the webhook routes' actions and
// the processor: GIVEN rewarded referrals, WHEN refunds, cancellations, settings changes and
// compliance requests arrive, THEN the ledger and the Referral rows show what went back and why.
import { describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { saveSettings } from "../../app/loyalty/settings.server";
import { newId, refundPayload } from "../support/shopify";
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

describe("a referral order refunded or cancelled within the return window", () => {
  it("takes both rewards back when refunded in full; a partial refund or one after the window leaves them", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    const full = paidOrder(newId(), { code: advocate.code }); // 2026-11-01; refunds are dated 2026-11-03
    const partial = paidOrder(newId(), { code: advocate.code });
    const old = paidOrder(newId(), { code: advocate.code, processedAt: "2026-09-01T10:00:00Z" });
    for (const o of [full, partial, old]) await deliver(shop, "orders/paid", o);
    await processed();
    expect(await balance(shop, advocate.id)).toBe(600);

    const refund = refundPayload(full.id, "50.00");
    await deliver(shop, "refunds/create", refund, `refund-${refund.id}`);
    await deliver(shop, "refunds/create", refund, `refund-again-${refund.id}`);
    await deliver(shop, "refunds/create", refundPayload(partial.id, "20.00"));
    await deliver(shop, "refunds/create", refundPayload(old.id, "50.00"));
    await processed();

    expect(await referralOf(shop, full.id)).toMatchObject({ status: "reversed", reason: "refunded_in_window" });
    expect(await referralRows(shop, full.customer.id)).toEqual(["100 referee", "refund -100 referee:takeback"]);
    expect(await balance(shop, full.customer.id)).toBe(0); // order points clawed back too
    expect(await referralOf(shop, partial.id)).toMatchObject({ status: "rewarded" });
    expect(await referralOf(shop, old.id)).toMatchObject({ status: "rewarded" });
    expect(await referralRows(shop, advocate.id)).toEqual([
      "200 advocate",
      "200 advocate",
      "200 advocate",
      "refund -200 advocate:takeback",
    ]);
    expect(await balance(shop, advocate.id)).toBe(400);
  });

  it("takes both back on a cancellation, never below zero by default (the shortfall is recorded)", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    const order = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", order);
    await processed();
    // The advocate spends most of the reward before the friend cancels.
    const advocateRow = await customerId(shop, advocate.id);
    await db.$transaction((tx) =>
      appendEntry(tx, {
        shop,
        customerId: advocateRow,
        delta: -150,
        kind: "redeem",
        reason: "Reward",
        idempotencyKey: `spend-${order.id}`,
      }),
    );
    await deliver(shop, "orders/cancelled", { ...order, cancelled_at: "2026-11-02T09:00:00Z", cancel_reason: "customer" });
    await processed();

    expect(await referralOf(shop, order.id)).toMatchObject({ status: "reversed", reason: "cancelled_in_window" });
    expect(await referralRows(shop, advocate.id)).toEqual(["200 advocate", "cancel -50 advocate:takeback short 150"]);
    expect(await balance(shop, advocate.id)).toBe(0);
    expect(await referralRows(shop, order.customer.id)).toEqual(["100 referee", "cancel -100 referee:takeback"]);
  });

  it("goes by the rules the referral was paid under: a later settings change applies to new referrals only", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    const before = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", before);
    await processed();
    await saveSettings(shop, { ...REFERRALS, referralBonusPoints: 999, referralWelcomePoints: 0, referralReturnWindowDays: 0 });
    const after = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", after);
    await processed();
    await deliver(shop, "refunds/create", refundPayload(before.id, "50.00"));
    await deliver(shop, "refunds/create", refundPayload(after.id, "50.00"));
    await processed();

    expect(await referralOf(shop, before.id)).toMatchObject({ status: "reversed", advocatePoints: 200, refereePoints: 100 });
    expect(await referralOf(shop, after.id)).toMatchObject({ status: "rewarded", advocatePoints: 999, refereePoints: 0 });
    expect(await referralRows(shop, advocate.id)).toEqual(["200 advocate", "999 advocate", "refund -200 advocate:takeback"]);
    expect(await referralRows(shop, after.customer.id)).toEqual([]); // no welcome reward under the new settings
  });
});

describe("customers/data_request and customers/redact", () => {
  it("export the member's code and referrals; redaction erases the hashed contact points and code, the rows keep only ids and the decision", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    await deliver(shop, "orders/paid", paidOrder(advocate.id, { phone: "+1 555 010 0000" }));
    const order = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", order);
    await processed();
    const id = await customerId(shop, advocate.id);
    expect(await db.referralFingerprint.count({ where: { shop, customerId: id } })).toBeGreaterThan(0);

    const request = { shop_id: 1, shop_domain: shop, customer: { id: advocate.id }, orders_requested: [] };
    await deliver(shop, "customers/data_request", { ...request, data_request: { id: 77 } });
    await deliver(shop, "customers/data_request", { ...request, customer: { id: order.customer.id }, data_request: { id: 78 } });
    await processed();
    const exported = async (requestId: string) =>
      JSON.parse((await db.dataExport.findFirstOrThrow({ where: { shop, requestId } })).payload).referral;
    expect(await exported("77")).toEqual({
      code: advocate.code,
      referrals: [expect.objectContaining({ as: "member who referred", status: "rewarded", points: 200 })],
    });
    expect((await exported("77")).referrals[0].order).toBeUndefined(); // the friend's order is the friend's
    expect(await exported("78")).toMatchObject({
      referrals: [{ as: "friend referred", order: order.name, status: "rewarded", points: 100 }],
    });

    await deliver(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: advocate.id, email: advocate.email },
      orders_to_redact: [],
    });
    await processed();
    expect(await db.referralFingerprint.count({ where: { shop, customerId: id } })).toBe(0);
    expect(await db.referralCode.count({ where: { shop, customerId: id } })).toBe(0);
    expect(await referralOf(shop, order.id)).toMatchObject({ status: "rewarded", advocateId: id });
    // The link stops working: a new friend's order with the old code is no referral.
    const late = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", late);
    await processed();
    expect(await referralOf(shop, late.id)).toBeNull();
  });
});
