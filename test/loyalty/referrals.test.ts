// Referrals against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL), through the
// webhook routes' actions called in-process with deliveries signed as Shopify signs them, then
// the processor: GIVEN members and their codes, WHEN friends' orders arrive (with the cart
// attribute, or the code as a discount code), refunds and cancellations follow, THEN the Referral
// rows and the ledger show who was paid, who was blocked and why, and what was taken back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "../../app/db.server";
import { appendEntry, ledgerBalance } from "../../app/loyalty/ledger.server";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import { referralPage } from "../../app/loyalty/referrals-list.server";
import { saveSettings } from "../../app/loyalty/settings.server";
import { memberView } from "../../app/loyalty/widget-view.server";
import { claim } from "../../app/webhooks/inbox.server";
import { drainInbox, processBatch } from "../../app/webhooks/processor.server";
import { useFreshDatabase } from "../support/database";
import { TEST_API_KEY, TEST_SECRET } from "../support/server";
import { customerPayload, newId, orderPayload, refundPayload, webhookRequest } from "../support/shopify";

const APP_URL = "https://regulars.example";
type Topic = "orders/paid" | "orders/cancelled" | "refunds/create" | "customers/create" | "customers/redact";
const actions = {} as Record<Topic, (args: ActionFunctionArgs) => Promise<Response>>;

beforeAll(async () => {
  Object.assign(process.env, { SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_SECRET, SHOPIFY_APP_URL: APP_URL });
  await useFreshDatabase();
  actions["orders/paid"] = (await import("../../app/routes/webhooks.orders.paid")).action;
  actions["orders/cancelled"] = (await import("../../app/routes/webhooks.orders.cancelled")).action;
  actions["refunds/create"] = (await import("../../app/routes/webhooks.refunds.create")).action;
  actions["customers/create"] = (await import("../../app/routes/webhooks.customers.create")).action;
  actions["customers/redact"] = (await import("../../app/routes/webhooks.customers.redact")).action;
});
afterAll(() => db.$disconnect());

const REFERRALS: Program = {
  ...DEFAULT_PROGRAM,
  referralBonusEnabled: true,
  referralBonusPoints: 200,
  referralWelcomePoints: 100,
  referralMonthlyCap: 10,
  referralReturnWindowDays: 30,
};

let seq = 0;
/** A shop of its own for each test, with these settings. */
async function newShop(program: Partial<Program> = {}) {
  const shop = `referrals-${++seq}.myshopify.com`;
  await saveSettings(shop, { ...REFERRALS, ...program });
  return shop;
}

async function deliver(shop: string, topic: Topic, payload: unknown, eventId?: string) {
  const response = await actions[topic]({
    request: webhookRequest(APP_URL, topic, payload, { shop, eventId }),
    params: {},
    context: {},
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Everything delivered so far, applied. */
const processed = () => drainInbox();

/** A member who signed up (customers/create) and has not ordered: their id and code. */
async function member(shop: string, email = `m${newId()}@example.com`) {
  const id = newId();
  await deliver(shop, "customers/create", customerPayload(id, { email }));
  await processed();
  const view = await memberView(shop, String(id));
  return { id, email, code: view.referral!.code };
}

type Buyer = { email?: string; phone?: string | null; address?: string; zip?: string };
/** An orders/paid body of `customerId`, with the referral cart attribute when `code` is given. */
function paidOrder(
  customerId: number,
  o: Buyer & { code?: string; subtotal?: string; processedAt?: string; discountCodes?: string[]; cancelledAt?: string } = {},
) {
  const base = orderPayload({
    customerId,
    subtotal: o.subtotal ?? "50.00",
    processedAt: o.processedAt,
    discountCodes: o.discountCodes,
    cancelledAt: o.cancelledAt,
  });
  const email = o.email ?? `buyer-${customerId}@example.com`;
  return {
    ...base,
    email,
    phone: o.phone ?? null,
    customer: { ...base.customer, id: customerId, email },
    note_attributes: o.code ? [{ name: "regulars_referral", value: o.code }] : [],
    shipping_address: {
      first_name: "Sam",
      address1: o.address ?? `${customerId} Main Street`,
      address2: null,
      city: "Springfield",
      zip: o.zip ?? "12345",
      country_code: "US",
      phone: null,
    },
  };
}

async function customerId(shop: string, shopifyId: number) {
  return (await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: String(shopifyId) } } })).id;
}

/** The customer's balance, checked against their ledger. */
async function balance(shop: string, shopifyId: number) {
  const c = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: String(shopifyId) } } });
  expect(c.pointsBalance).toBe(await ledgerBalance(db, c.id));
  return c.pointsBalance;
}

/** The customer's referral ledger rows as `[kind] delta key-tail`: rewards are `referral` rows, take-backs `refund` or `cancel`. */
async function referralRows(shop: string, shopifyId: number) {
  const rows = await db.ledgerEntry.findMany({
    where: { shop, idempotencyKey: { startsWith: "referral:" }, customerId: await customerId(shop, shopifyId) },
    orderBy: { id: "asc" },
  });
  return rows.map(
    (r) =>
      `${r.kind === "referral" ? "" : `${r.kind} `}${r.delta} ${r.idempotencyKey.replace(/^referral:\d+:/, "")}${r.shortfall ? ` short ${r.shortfall}` : ""}`,
  );
}

async function referralOf(shop: string, orderId: number) {
  return db.referral.findUnique({ where: { shop_orderShopifyId: { shop, orderShopifyId: String(orderId) } } });
}

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

describe("customers/redact", () => {
  it("erases the member's hashed contact points and code; the referral rows keep only ids and the decision", async () => {
    const shop = await newShop();
    const advocate = await member(shop);
    await deliver(shop, "orders/paid", paidOrder(advocate.id, { phone: "+1 555 010 0000" }));
    const order = paidOrder(newId(), { code: advocate.code });
    await deliver(shop, "orders/paid", order);
    await processed();
    const id = await customerId(shop, advocate.id);
    expect(await db.referralFingerprint.count({ where: { shop, customerId: id } })).toBeGreaterThan(0);

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
