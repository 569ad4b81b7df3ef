// Order bonuses as rule tables against a real database (SQLite, or PostgreSQL with
// TEST_POSTGRES_URL): orders/paid, refunds and cancellations in, through the same functions the
// webhook processor calls in its transaction; the ledger rows they leave out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry, ledgerBalance } from "../../app/loyalty/ledger.server";
import { applyCancellation, applyPaidOrders, applyRefund } from "../../app/loyalty/orders.server";
import { ordinal } from "../../app/loyalty/earning";
import { bonusesAt } from "../../app/loyalty/order-bonuses.server";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import type { OrderRecord } from "../../app/loyalty/records";
import { useFreshDatabase } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const BONUSES: Program = {
  ...DEFAULT_PROGRAM,
  firstOrderBonusEnabled: true,
  firstOrderBonusPoints: 100,
  nthOrderBonusEnabled: true,
  nthOrderBonusEvery: 3,
  nthOrderBonusPoints: 30,
};

let seq = 0;
let shop = "";
let customer = "";
const newShopper = () => {
  shop = `bonus-${++seq}.myshopify.com`;
  customer = String(1000 + seq);
};

/** An order of this test's customer, `day` days into 2026, with a subtotal in whole units. */
function order(id: number, day: number, subtotal: number, extra: Partial<OrderRecord> = {}): OrderRecord {
  return {
    shopifyId: `${seq}${String(id).padStart(3, "0")}`,
    name: `#${id}`,
    customer: { shopifyId: customer, email: null, firstName: null, lastName: null },
    processedAt: new Date(Date.UTC(2026, 0, 1 + day)),
    subtotalCents: subtotal * 100,
    totalCents: subtotal * 100,
    currency: "USD",
    financialStatus: "paid",
    cancelledAt: null,
    test: false,
    discountCodes: [],
    refunds: [],
    ...extra,
  };
}

const paid = (program: Program, ...orders: OrderRecord[]) => db.$transaction((tx) => applyPaidOrders(tx, shop, program, orders));
const cancelled = (program: Program, o: OrderRecord) =>
  db.$transaction((tx) => applyCancellation(tx, shop, program, { ...o, cancelledAt: new Date() }));
const refunded = (program: Program, o: OrderRecord, id: number, subtotal: number) =>
  db.$transaction((tx) =>
    applyRefund(tx, shop, program, {
      shopifyId: `${o.shopifyId}${id}`,
      orderShopifyId: o.shopifyId,
      subtotalCents: subtotal * 100,
      createdAt: new Date(),
    }),
  );

/** The customer's ledger as `kind delta key-tail`, oldest first (keys without the customer's id). */
async function ledger(): Promise<string[]> {
  const rows = await db.ledgerEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
  return rows.map(
    (r) =>
      `${r.kind} ${r.delta} ${r.idempotencyKey.replace(`customer:${customer}:`, "").replace(/^order:\d+?(\d{3}):/, "order $1 ")}`,
  );
}

async function balance() {
  const c = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: customer } } });
  expect(c.pointsBalance).toBe(await ledgerBalance(db, c.id));
  return c.pointsBalance;
}

describe("the rule", () => {
  it("pays the first-order bonus at position 1 and the Nth-order bonus exactly at multiples of N", () => {
    const o = { shopifyId: "1", name: "#1", customerShopifyId: "9" };
    const table = [1, 2, 3, 4, 5, 6, 7, 9].map((n) => [n, bonusesAt(n, BONUSES, o, "s").map((r) => `${r.delta} ${r.reason}`)]);
    expect(table).toEqual([
      [1, ["100 First-order bonus (order #1)"]],
      [2, []],
      [3, ["30 3rd-order bonus (order #1)"]],
      [4, []],
      [5, []],
      [6, ["30 6th-order bonus (order #1)"]],
      [7, []],
      [9, ["30 9th-order bonus (order #1)"]],
    ]);
    expect(bonusesAt(1, DEFAULT_PROGRAM, o, "s")).toEqual([]); // both off by default
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "101st",
      "111th",
    ]);
  });
});

describe("order bonuses on orders/paid", () => {
  it("pays the first order once and every 3rd order, not for test or cancelled orders; redelivery changes nothing", async () => {
    newShopper();
    await paid(BONUSES, order(1, 1, 10));
    await paid(BONUSES, order(2, 2, 10), order(3, 3, 10, { test: true })); // a test order is not an order that counts
    await paid(BONUSES, order(4, 4, 10, { cancelledAt: new Date() })); // paid already cancelled: not counted (its points go straight back)
    await paid(BONUSES, order(5, 5, 10)); // the 3rd order that counts
    await paid(BONUSES, order(1, 1, 10), order(5, 5, 10)); // redelivered
    await paid(BONUSES, order(6, 6, 20), order(7, 7, 20), order(8, 8, 20)); // 4th, 5th, 6th in one batch
    expect(await ledger()).toEqual([
      "earn 10 order 001 earn",
      "bonus 100 first-order",
      "earn 10 order 002 earn",
      "earn 10 order 004 earn",
      "cancel -10 order 004 cancel",
      "earn 10 order 005 earn",
      "bonus 30 nth-order:3",
      "earn 20 order 006 earn",
      "earn 20 order 007 earn",
      "earn 20 order 008 earn",
      "bonus 30 nth-order:6",
    ]);
    expect(await balance()).toBe(10 + 100 + 10 + 10 + 30 + 60 + 30);
    const reasons = (await db.ledgerEntry.findMany({ where: { shop, kind: "bonus" }, orderBy: { id: "asc" } })).map(
      (r) => r.reason,
    );
    expect(reasons).toEqual(["First-order bonus (order #1)", "3rd-order bonus (order #5)", "6th-order bonus (order #8)"]);
  });

  it("counts orders by when they were placed, so a late first order does not pay a second first-order bonus", async () => {
    newShopper();
    await paid(BONUSES, order(2, 10, 10)); // arrives first: the first order as far as we know
    await paid(BONUSES, order(1, 5, 10)); // placed earlier, delivered later
    expect(await ledger()).toEqual(["earn 10 order 002 earn", "bonus 100 first-order", "earn 10 order 001 earn"]);
  });

  it("applies rule changes to new orders only: earlier rows stay, the next order follows the new rules", async () => {
    newShopper();
    await paid(DEFAULT_PROGRAM, order(1, 1, 10)); // bonuses off
    const on = { ...BONUSES, nthOrderBonusEvery: 2 };
    await paid(on, order(2, 2, 10)); // position 2: no first-order bonus now; 2nd → every-2nd bonus
    await paid({ ...on, nthOrderBonusEnabled: false }, order(3, 3, 10), order(4, 4, 10)); // turned off again
    await paid(on, order(5, 5, 10), order(6, 6, 10));
    expect(await ledger()).toEqual([
      "earn 10 order 001 earn",
      "earn 10 order 002 earn",
      "bonus 30 nth-order:2",
      "earn 10 order 003 earn",
      "earn 10 order 004 earn",
      "earn 10 order 005 earn",
      "earn 10 order 006 earn",
      "bonus 30 nth-order:6",
    ]);
  });

  it("takes the order's bonuses back on cancellation or a full refund, keeps them after a partial refund, and never pays them again", async () => {
    newShopper();
    const first = order(1, 1, 50);
    await paid(BONUSES, first);
    await refunded(BONUSES, first, 1, 20); // partial: 20 of 50 points back, the bonus stays
    await refunded(BONUSES, first, 2, 30); // the rest: the other 30 and the bonus
    // A fully refunded order no longer counts: these are the 1st and 2nd that count, and the
    // first-order bonus, taken back, is not paid again.
    await paid(BONUSES, order(2, 2, 10), order(3, 3, 10));
    const third = order(4, 4, 10);
    await paid(BONUSES, third); // 3rd that counts
    await cancelled(BONUSES, third);
    await cancelled(BONUSES, third); // redelivered
    await paid(BONUSES, order(5, 5, 10)); // the 3rd again: its bonus was taken back, not paid twice
    expect(await ledger()).toEqual([
      "earn 50 order 001 earn",
      "bonus 100 first-order",
      "refund -20 refund:" + `${seq}0011:clawback`,
      "refund -30 refund:" + `${seq}0012:clawback`,
      "refund -100 first-order:takeback",
      "earn 10 order 002 earn",
      "earn 10 order 003 earn",
      "earn 10 order 004 earn",
      "bonus 30 nth-order:3",
      "cancel -10 order 004 cancel",
      "cancel -30 nth-order:3:takeback",
      "earn 10 order 005 earn",
    ]);
    expect(await balance()).toBe(30);
    const takeback = await db.ledgerEntry.findFirstOrThrow({
      where: { shop, idempotencyKey: { endsWith: "first-order:takeback" } },
    });
    expect(takeback.reason).toBe("First-order bonus taken back: order #1 refunded");
  });

  it("stops a take-back at a zero balance and records the shortfall", async () => {
    newShopper();
    const first = order(1, 1, 10);
    await paid(BONUSES, first);
    const c = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: customer } } });
    // 10 earned + 100 bonus; 105 spent on a reward leaves 5.
    await db.$transaction((tx) =>
      appendEntry(tx, { shop, customerId: c.id, delta: -105, kind: "redeem", reason: "Reward", idempotencyKey: `spend:${seq}` }),
    );
    await cancelled(BONUSES, first);
    const rows = await db.ledgerEntry.findMany({ where: { shop, kind: "cancel" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.delta, r.shortfall])).toEqual([
      [-5, 5],
      [0, 100],
    ]);
    expect(await balance()).toBe(0);
  });
});
