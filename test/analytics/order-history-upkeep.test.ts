// The packed per-customer orders the dashboard reads ("CustomerOrderHistory") are kept by the
// database: every kind of order write marks its customer stale, the next read rebuilds exactly
// those rows, a write that changes nothing the KPIs count marks no one, and (PostgreSQL) a write
// still in flight while a report rebuilds is never lost. Also: a database upgraded with orders
// already in it, and a shop's redaction. SQLite, or PostgreSQL with TEST_POSTGRES_URL.
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, dialect } from "../../app/db.server";
import { applyMigrations, dialectOf } from "../../app/db/migrations.server";
import { markWholeShopStale, orderHistory, refreshOrderHistory } from "../../app/analytics/order-history.server";
import { redactShop } from "../../app/privacy/gdpr.server";
import { databaseBefore, useFreshDatabase, usingPostgres } from "../support/database";
import { customer, order, shopWith } from "./history";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(async () => {
  await db.$disconnect();
});

const END = new Date("2030-01-01T00:00:00Z");

/** Customer id → [epoch ms, revenue cents] of its counted orders, as the dashboard reads them. */
async function read(shop: string) {
  const h = await orderHistory(db, dialect(), shop, END);
  const byCustomer = new Map<number, [number, number][]>();
  h.ids.forEach((id, i) => {
    const orders: [number, number][] = [];
    for (let k = h.start[i]; k < h.start[i + 1]; k++) orders.push([h.at[k], h.revenueCents[k]]);
    byCustomer.set(id, orders);
  });
  return byCustomer;
}

/** The same from "Order" directly: the reference. */
async function reference(shop: string) {
  const orders = await db.order.findMany({
    where: { shop, test: false, cancelledAt: null, customerId: { not: null } },
    orderBy: [{ customerId: "asc" }, { processedAt: "asc" }, { id: "asc" }],
  });
  const byCustomer = new Map<number, [number, number][]>();
  for (const o of orders) {
    const list = byCustomer.get(o.customerId!) ?? [];
    list.push([o.processedAt.getTime(), o.subtotalCents - o.refundedSubtotalCents]);
    byCustomer.set(o.customerId!, list);
  }
  return byCustomer;
}

const stale = (shop: string) => db.customerOrderHistoryStale.count({ where: { shop } });
const ms = (at: string) => new Date(at).getTime();

describe("the packed order history", () => {
  const SHOP = "upkeep.myshopify.com";
  let a: number;
  let b: number;

  beforeAll(async () => {
    await shopWith(SHOP);
    a = (await customer(SHOP)).id;
    b = (await customer(SHOP)).id;
  });

  it("follows inserts, refunds, cancellations, test flags, moves between customers and deletes", async () => {
    const first = await order(SHOP, { customerId: a, at: "2026-01-05T10:00:00Z", subtotal: 40 });
    await order(SHOP, { customerId: a, at: "2026-01-02T10:00:00Z", subtotal: 10 });
    const third = await order(SHOP, { customerId: b, at: "2026-02-01T10:00:00Z", subtotal: 25 });
    await order(SHOP, { customerId: null, at: "2026-02-02T10:00:00Z", subtotal: 99 });
    expect(await read(SHOP)).toEqual(
      new Map([
        [
          a,
          [
            [ms("2026-01-02T10:00:00Z"), 1000],
            [ms("2026-01-05T10:00:00Z"), 4000],
          ],
        ],
        [b, [[ms("2026-02-01T10:00:00Z"), 2500]]],
      ]),
    );
    expect(await stale(SHOP)).toBe(0);

    await db.order.update({ where: { id: first.id }, data: { refundedSubtotalCents: 1500 } });
    expect((await read(SHOP)).get(a)![1][1]).toBe(2500);
    await db.order.update({ where: { id: first.id }, data: { processedAt: new Date("2025-12-31T23:00:00Z") } });
    expect((await read(SHOP)).get(a)![0]).toEqual([ms("2025-12-31T23:00:00Z"), 2500]);
    await db.order.update({ where: { id: third.id }, data: { customerId: a } });
    expect((await read(SHOP)).has(b)).toBe(false);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
    await db.order.update({ where: { id: third.id }, data: { test: true } });
    await db.order.update({ where: { id: first.id }, data: { cancelledAt: new Date("2026-03-01T00:00:00Z") } });
    expect((await read(SHOP)).get(a)).toEqual([[ms("2026-01-02T10:00:00Z"), 1000]]);
    await db.order.deleteMany({ where: { shop: SHOP, customerId: a } });
    expect((await read(SHOP)).size).toBe(0);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
  });

  it("marks no one for a write that changes nothing the KPIs count", async () => {
    const o = await order(SHOP, { customerId: b, at: "2026-04-01T10:00:00Z" });
    await read(SHOP);
    await db.order.update({ where: { id: o.id }, data: { name: "#renamed", financialStatus: "paid", discountCodes: "X" } });
    expect(await stale(SHOP)).toBe(0);
    await db.order.update({ where: { id: o.id }, data: { subtotalCents: 123 } });
    expect(await stale(SHOP)).toBe(1);
  });

  it("rebuilds only the stale customers, or the whole shop in one pass after a large import", async () => {
    const many = await db.customer.createManyAndReturn({
      data: Array.from({ length: 6_000 }, (_, i) => ({ shop: SHOP, shopifyId: `import-${i}` })),
      select: { id: true },
    });
    await db.order.createMany({
      data: many.map((c, i) => ({
        shop: SHOP,
        shopifyId: `import-order-${i}`,
        customerId: c.id,
        processedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
        subtotalCents: 100 + i,
        totalCents: 100 + i,
        currency: "USD",
      })),
    });
    expect(await stale(SHOP)).toBeGreaterThan(6_000);
    expect(await refreshOrderHistory(db, dialect(), SHOP)).toBeGreaterThan(6_000);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
    await order(SHOP, { customerId: many[7].id, at: "2026-05-01T00:00:00Z", subtotal: 3 });
    expect(await refreshOrderHistory(db, dialect(), SHOP)).toBe(1);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
  });

  it("takes a bulk writer's one shop-wide mark for all its customers", async () => {
    const bulk = await Promise.all([customer(SHOP), customer(SHOP), customer(SHOP)]);
    await read(SHOP);
    await db.$transaction(async (tx) => {
      await markWholeShopStale(tx, dialect(), SHOP);
      await tx.order.createMany({
        data: bulk.map((c, i) => ({
          shop: SHOP,
          shopifyId: `bulk-${i}`,
          customerId: c.id,
          processedAt: new Date(Date.UTC(2026, 6, 1 + i)),
          subtotalCents: 700 + i,
          totalCents: 700 + i,
          currency: "USD",
        })),
      });
    });
    // PostgreSQL: the triggers left their per-customer marks out; SQLite's row triggers still mark.
    expect(await stale(SHOP)).toBe(usingPostgres ? 1 : 4);
    expect(await refreshOrderHistory(db, dialect(), SHOP)).toBe(usingPostgres ? 1 : 4);
    expect(await stale(SHOP)).toBe(0);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
    // Outside that transaction the triggers mark customer by customer again.
    await order(SHOP, { customerId: bulk[0].id, at: "2026-08-01T00:00:00Z" });
    expect(await db.customerOrderHistoryStale.findMany({ where: { shop: SHOP }, select: { customerId: true } })).toEqual([
      { customerId: bulk[0].id },
    ]);
    expect(await read(SHOP)).toEqual(await reference(SHOP));
  });

  it("keeps nothing of a redacted shop", async () => {
    await order(SHOP, { customerId: b, at: "2026-06-01T10:00:00Z" }); // left stale on purpose
    await db.$transaction((tx) => redactShop(tx, SHOP));
    expect(await db.customerOrderHistory.count({ where: { shop: SHOP } })).toBe(0);
    expect(await stale(SHOP)).toBe(0);
  });
});

describe.runIf(usingPostgres)("with writers in flight (PostgreSQL)", () => {
  const SHOP = "in-flight.myshopify.com";

  it("never loses an order whose transaction commits while a report rebuilds", async () => {
    await shopWith(SHOP);
    const c = await customer(SHOP);
    await order(SHOP, { customerId: c.id, at: "2026-01-01T00:00:00Z", subtotal: 1 });
    await read(SHOP);
    const url = new URL(process.env.TEST_POSTGRES_URL!);
    url.pathname = new URL(process.env.DATABASE_URL!).pathname;
    const writer = new pg.Client({ connectionString: url.toString() });
    await writer.connect();
    const insert = (id: string, cents: number, at: string) =>
      writer.query(
        `INSERT INTO "Order" ("shop", "shopifyId", "customerId", "processedAt", "subtotalCents", "totalCents", "currency", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, $5, 'USD', now())`,
        [SHOP, id, c.id, at, cents],
      );
    try {
      // 1. The customer is not stale yet: the writer's mark is a new, uncommitted row.
      await writer.query("BEGIN");
      await insert("flight-1", 200, "2026-02-01T00:00:00Z");
      expect((await read(SHOP)).get(c.id)).toEqual([[ms("2026-01-01T00:00:00Z"), 100]]);
      await writer.query("COMMIT");
      expect((await read(SHOP)).get(c.id)).toHaveLength(2);
      // 2. The customer is already stale (committed mark): the writer's upsert locks the mark, and
      // the rebuild takes in the committed order without claiming the mark of the one in flight.
      await order(SHOP, { customerId: c.id, at: "2026-03-01T00:00:00Z", subtotal: 3 });
      await writer.query("BEGIN");
      await insert("flight-2", 400, "2026-04-01T00:00:00Z");
      expect((await read(SHOP)).get(c.id)).toHaveLength(3);
      expect(await stale(SHOP)).toBe(1);
      await writer.query("COMMIT");
      expect((await read(SHOP)).get(c.id)).toEqual([
        [ms("2026-01-01T00:00:00Z"), 100],
        [ms("2026-02-01T00:00:00Z"), 200],
        [ms("2026-03-01T00:00:00Z"), 300],
        [ms("2026-04-01T00:00:00Z"), 400],
      ]);
      // 3. A bulk writer (the history import) marks the whole shop instead. Its first chunk's mark
      // is new (invisible until it commits); the next chunk locks the committed mark, and the
      // rebuild skips it, keeps it, and takes that chunk's order in once it commits.
      const bulkWriter = {
        $queryRawUnsafe: (sql: string, ...params: unknown[]) => writer.query(sql, params).then((r) => r.rows),
        $executeRawUnsafe: (sql: string, ...params: unknown[]) => writer.query(sql, params).then((r) => r.rowCount ?? 0),
      };
      const chunk = async (id: string, cents: number, at: string) => {
        await writer.query("BEGIN");
        await markWholeShopStale(bulkWriter as never, "postgres", SHOP);
        await insert(id, cents, at);
      };
      await chunk("flight-3", 500, "2026-05-01T00:00:00Z");
      expect(await stale(SHOP)).toBe(0);
      expect((await read(SHOP)).get(c.id)).toHaveLength(4);
      await writer.query("COMMIT");
      expect(await stale(SHOP)).toBe(1);
      await chunk("flight-4", 600, "2026-06-01T00:00:00Z");
      expect((await read(SHOP)).get(c.id)).toHaveLength(5);
      expect(await stale(SHOP)).toBe(1);
      await writer.query("COMMIT");
      expect((await read(SHOP)).get(c.id)).toHaveLength(6);
      expect(await stale(SHOP)).toBe(0);
    } finally {
      await writer.end();
    }
  });
});

it(`builds the rows of orders stored before the upgrade (${usingPostgres ? "PostgreSQL" : "SQLite"})`, async () => {
  const MIGRATION = "0012_customer_order_history.sql";
  const admin = process.env.TEST_POSTGRES_URL;
  const url = await databaseBefore(MIGRATION);
  const all = path.resolve("prisma/migrations", dialectOf(url));
  const insertOrders = `INSERT INTO "Customer" ("id", "shop", "shopifyId", "updatedAt") VALUES (1, 'old.myshopify.com', 'c1', CURRENT_TIMESTAMP);
    INSERT INTO "Order" ("shop", "shopifyId", "customerId", "processedAt", "subtotalCents", "totalCents", "currency", "updatedAt")
    VALUES ('old.myshopify.com', 'o1', 1, '2025-05-05 05:05:05', 500, 500, 'USD', CURRENT_TIMESTAMP)`;
  if (admin) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(insertOrders);
    await client.end();
  } else {
    const Database = (await import("better-sqlite3")).default;
    const file = new Database(url.slice("file:".length));
    file.exec(insertOrders.replace("'2025-05-05 05:05:05'", "'2025-05-05T05:05:05.000+00:00'"));
    file.close();
  }
  await applyMigrations(url, all);
  const rows = admin
    ? await (async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const result = await client.query(`SELECT "shop", "customerId" FROM "CustomerOrderHistoryStale"`);
        await client.end();
        return result.rows;
      })()
    : (await import("better-sqlite3"))
        .default(url.slice("file:".length))
        .prepare(`SELECT "shop", "customerId" FROM "CustomerOrderHistoryStale"`)
        .all();
  expect(rows).toEqual([{ shop: "old.myshopify.com", customerId: 1 }]);
});
