// Tiers that move, against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL, where
// the concurrent runs contend for real row locks): orders, refunds and cancellations move a tier
// at once; the daily job moves it as the 365-day window passes; entering a tier pays its entry
// reward once per qualification; every move is in the tier history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { ledgerBalance } from "../../app/loyalty/ledger.server";
import { applyCancellation, applyPaidOrders, applyRefund } from "../../app/loyalty/orders.server";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import type { OrderRecord } from "../../app/loyalty/records";
import { recomputeTiers, tierHistory } from "../../app/loyalty/tiers.server";
import { useFreshDatabase, usingPostgres } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const DAY = 86_400_000;
const TIERS: Program = {
  ...DEFAULT_PROGRAM,
  tiersEnabled: true,
  tiers: [
    { name: "Silver", minSpendCents: 20_000, multiplier: 1, entryRewardPoints: 50, perks: "" },
    { name: "Gold", minSpendCents: 50_000, multiplier: 1, entryRewardPoints: 100, perks: "Free shipping" },
  ],
};

let seq = 0;
let shop = "";
async function newShop(program: Program = TIERS) {
  shop = `tiers-${++seq}.myshopify.com`;
  const { tiers, ...rest } = program;
  await db.programSettings.create({ data: { shop, ...rest, tiers: JSON.stringify(tiers) } });
}

let orderSeq = 0;
function order(customer: string, processedAt: Date, subtotal: number): OrderRecord {
  return {
    shopifyId: String(++orderSeq + 50_000),
    name: `#${orderSeq}`,
    customer: { shopifyId: customer, email: null, firstName: null, lastName: null },
    processedAt,
    subtotalCents: subtotal * 100,
    totalCents: subtotal * 100,
    currency: "USD",
    financialStatus: "paid",
    cancelledAt: null,
    test: false,
    discountCodes: [],
    refunds: [],
  };
}
const paid = (...orders: OrderRecord[]) => db.$transaction((tx) => applyPaidOrders(tx, shop, TIERS, orders));

async function member(shopifyId: string) {
  return db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId } } });
}
async function history(shopifyId: string) {
  const rows = await tierHistory((await member(shopifyId)).id);
  return rows
    .reverse()
    .map((r) => `${r.fromTier ?? "-"} → ${r.toTier ?? "-"} (${r.reason}${r.entryPoints ? `, +${r.entryPoints}` : ""})`);
}
async function entryRewards(shopifyId: string) {
  const c = await member(shopifyId);
  expect(c.pointsBalance).toBe(await ledgerBalance(db, c.id));
  return (
    await db.ledgerEntry.findMany({
      where: { customerId: c.id, idempotencyKey: { contains: ":tier-entry:" } },
      orderBy: { id: "asc" },
    })
  ).map((r) => `${r.delta} ${r.reason}`);
}

describe("tiers on orders, refunds and cancellations", () => {
  it("moves the tier at once, records each move and pays each tier's entry reward on the way up", async () => {
    await newShop();
    const now = Date.now();
    await paid(order("1", new Date(now - 10 * DAY), 199.99)); // just below Silver
    const silver = order("1", new Date(now - 5 * DAY), 0.01); // exactly 200.00: Silver
    await paid(silver);
    const big = order("1", new Date(now - DAY), 300); // 500.00: Gold exactly at the threshold
    await paid(big);
    await db.$transaction((tx) =>
      applyRefund(tx, shop, TIERS, { shopifyId: "9001", orderShopifyId: big.shopifyId, subtotalCents: 1, createdAt: new Date() }),
    );
    await db.$transaction((tx) => applyCancellation(tx, shop, TIERS, { ...big, cancelledAt: new Date() }));
    await paid(order("1", new Date(now), 300)); // back to Gold within 365 days of its reward: no second reward
    // The refund of 0.01 leaves 499.99: Silver; the cancellation leaves 200.00: still Silver, no move.
    expect(await history("1")).toEqual([
      "- → Silver (order, +50)",
      "Silver → Gold (order, +100)",
      "Gold → Silver (refund)",
      "Silver → Gold (order)",
    ]);
    expect(await entryRewards("1")).toEqual(["50 Silver tier entry reward", "100 Gold tier entry reward"]);
    expect((await member("1")).tier).toBe("Gold");
  });

  it("changes nothing when tiers are off", async () => {
    await newShop({ ...TIERS, tiersEnabled: false });
    await db.$transaction((tx) => applyPaidOrders(tx, shop, { ...TIERS, tiersEnabled: false }, [order("2", new Date(), 900)]));
    expect(await history("2")).toEqual([]);
    expect((await member("2")).tier).toBeNull();
    expect((await recomputeTiers(shop, new Date())).moves).toBe(0);
  });
});

describe("the daily tier job", () => {
  it("drops a tier when spend leaves the 365-day window, exactly at the window's edge", async () => {
    await newShop();
    const start = Date.now();
    await paid(order("3", new Date(start - 100 * DAY), 300), order("3", new Date(start - 50 * DAY), 250)); // Gold
    expect((await member("3")).tier).toBe("Gold");
    // At 365 days after the first order it is no longer in (start − 365 days, now]: 250 left → Silver.
    const edge = start - 100 * DAY + 365 * DAY;
    expect((await recomputeTiers(shop, new Date(edge - 1))).moves).toBe(0); // 1 ms before: still in
    expect(await recomputeTiers(shop, new Date(edge))).toMatchObject({ moves: 1, entryPoints: 0 });
    expect((await member("3")).tier).toBe("Silver");
    expect(await recomputeTiers(shop, new Date(edge))).toMatchObject({ moves: 0 }); // twice: nothing more
    const later = start - 50 * DAY + 365 * DAY;
    expect(await recomputeTiers(shop, new Date(later))).toMatchObject({ moves: 1 });
    // The two orders of one batch are worked one after the other, as two deliveries would be.
    expect(await history("3")).toEqual([
      "- → Silver (order, +50)",
      "Silver → Gold (order, +100)",
      "Gold → Silver (daily)",
      "Silver → - (daily)",
    ]);
    expect(await entryRewards("3")).toEqual(["50 Silver tier entry reward", "100 Gold tier entry reward"]);
  });

  it("pays the entry reward again on a new qualification more than 365 days after the last", async () => {
    await newShop();
    const start = Date.now() - 400 * DAY;
    // Gold 400 days ago, recorded then (the daily job's clock), dropped since; Gold again today.
    await db.customer.create({ data: { shop, shopifyId: "4" } });
    await db.order.create({
      data: {
        shop,
        shopifyId: "40001",
        customerId: (await member("4")).id,
        processedAt: new Date(start),
        subtotalCents: 60_000,
        totalCents: 60_000,
        currency: "USD",
      },
    });
    expect(await recomputeTiers(shop, new Date(start + DAY))).toMatchObject({ moves: 1, entryPoints: 100 });
    expect(await recomputeTiers(shop, new Date())).toMatchObject({ moves: 1, entryPoints: 0 }); // window passed: no tier
    await paid(order("4", new Date(), 600));
    expect(await entryRewards("4")).toEqual(["100 Gold tier entry reward", "100 Gold tier entry reward"]);
    expect(await history("4")).toEqual(["- → Gold (daily, +100)", "Gold → - (daily)", "- → Gold (order, +100)"]);
  });

  it(`run twice at once${usingPostgres ? " (PostgreSQL row locks)" : ""} makes one change and pays one entry reward per member`, async () => {
    await newShop();
    const now = new Date();
    // Members with Gold spend but no tier stored yet (tiers just turned on): the job moves them.
    for (const id of ["51", "52", "53"]) {
      const c = await db.customer.create({ data: { shop, shopifyId: id } });
      await db.order.create({
        data: {
          shop,
          shopifyId: `${id}001`,
          customerId: c.id,
          processedAt: new Date(now.getTime() - DAY),
          subtotalCents: 55_000,
          totalCents: 55_000,
          currency: "USD",
        },
      });
    }
    const runs = await Promise.all([recomputeTiers(shop, now, 2), recomputeTiers(shop, now, 2), recomputeTiers(shop, now, 2)]);
    expect(runs.reduce((sum, r) => sum + r.moves, 0)).toBe(3);
    expect(runs.reduce((sum, r) => sum + r.entryPoints, 0)).toBe(300);
    for (const id of ["51", "52", "53"]) {
      expect(await history(id)).toEqual(["- → Gold (daily, +100)"]);
      expect(await entryRewards(id)).toEqual(["100 Gold tier entry reward"]);
    }
    expect(await db.tierChange.count({ where: { shop } })).toBe(3);
  });
});
