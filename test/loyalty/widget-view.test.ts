// The shopper's view of the program (app/loyalty/widget-view.server.ts) against a real database
// (SQLite, or PostgreSQL with TEST_POSTGRES_URL): the codes they hold, the date each activity row
// shows, and the numbers behind "Ways to earn" that the widget words in the shopper's language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { memberView } from "../../app/loyalty/widget-view.server";
import { useFreshDatabase } from "../support/database";
import { createReward, memberWithPoints } from "../support/proxy";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const DAY = 86_400_000;
let seq = 0;
const newShop = async (settings: Record<string, unknown> = {}) => {
  const shop = `view-${++seq}.myshopify.com`;
  await db.programSettings.create({ data: { shop, ...settings } });
  return shop;
};

async function redemption(
  shop: string,
  customerId: number,
  rewardId: number,
  code: string | null,
  status: string,
  expiresAt: Date | null,
) {
  return db.redemption.create({
    data: {
      shop,
      customerId,
      rewardId,
      pointsSpent: 500,
      status,
      code,
      expiresAt,
      idempotencyKey: `k-${code}-${status}-${++seq}`,
    },
  });
}

describe("memberView", () => {
  it("lists the issued codes that are neither used nor expired, newest first, with the reward's name and value", async () => {
    const shop = await newShop();
    const customerId = await memberWithPoints("501", 2000, shop);
    const five = await createReward(shop, { name: "$5 off", pointsCost: 500, valueCents: 500 });
    const pct = await createReward(shop, { name: "10% off", kind: "percent_off", pointsCost: 800, percentOff: 10 });
    const later = new Date(Date.now() + 30 * DAY);
    await redemption(shop, customerId, five.id, "REG-OLD1", "issued", later);
    await redemption(shop, customerId, five.id, "REG-USED", "used", later);
    await redemption(shop, customerId, five.id, "REG-GONE", "issued", new Date(Date.now() - DAY)); // past its end, not swept yet
    await redemption(shop, customerId, five.id, "REG-EXPD", "expired", null);
    await redemption(shop, customerId, five.id, null, "failed", null);
    await redemption(shop, customerId, pct.id, "REG-NEW2", "issued", null); // no end date: stays
    const other = await memberWithPoints("502", 100, shop);
    await redemption(shop, other, five.id, "REG-THEIRS", "issued", later);

    const view = await memberView(shop, "501");
    expect(view.codes).toEqual([
      { code: "REG-NEW2", rewardName: "10% off", kind: "percent_off", value: 10, pointsSpent: 500, expiresAt: null },
      { code: "REG-OLD1", rewardName: "$5 off", kind: "amount_off", value: 5, pointsSpent: 500, expiresAt: later.toISOString() },
    ]);
    expect((await memberView(shop, null)).codes).toEqual([]);
    expect((await memberView(shop, "999")).codes).toEqual([]);
  });

  it("dates an order's points by the order, and every other row by when the points moved", async () => {
    const shop = await newShop();
    const customerId = await memberWithPoints("601", 10, shop);
    const placed = new Date("2024-11-20T10:00:00Z");
    const order = await db.order.create({
      data: { shop, shopifyId: "9001", customerId, processedAt: placed, subtotalCents: 4200, totalCents: 4200, currency: "USD" },
    });
    await db.$transaction((tx) =>
      appendEntry(tx, {
        shop,
        customerId,
        delta: 42,
        kind: "earn",
        reason: "Order #9001",
        orderId: order.id,
        idempotencyKey: "e-9001",
      }),
    );
    const [earned, adjusted] = (await memberView(shop, "601")).history;
    expect(earned).toMatchObject({ delta: 42, kind: "earn", date: placed.toISOString() });
    expect(Date.parse(earned.createdAt)).toBeGreaterThan(Date.now() - DAY); // credited today
    expect(adjusted).toMatchObject({ delta: 10, kind: "adjust" });
    expect(adjusted.date).toBe(adjusted.createdAt);
  });

  it("gives each way to earn its numbers: the order rate, the bonus points, the every-Nth count", async () => {
    const shop = await newShop({
      pointsPerUnit: 2,
      signupBonusEnabled: true,
      signupBonusPoints: 50,
      nthOrderBonusEnabled: true,
      nthOrderBonusEvery: 5,
      nthOrderBonusPoints: 100,
      birthdayBonusEnabled: true,
      birthdayBonusPoints: 150,
    });
    const { waysToEarn } = await memberView(shop, null);
    expect(waysToEarn.map(({ label: _label, ...numbers }) => numbers)).toEqual([
      { kind: "order", rate: 2 },
      { kind: "signup", points: 50 },
      { kind: "nth_order", points: 100, every: 5 },
      { kind: "birthday", points: 150 },
    ]);
    expect(waysToEarn[0].label).toBe("2 points for every 1 spent");
  });
});
