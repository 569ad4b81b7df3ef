// The ledger holds whole points within ±10^9 a row, and only ever grows: the ledger module says so
// with an error naming the entry, and the database refuses it even from code that bypasses the module.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry, LedgerBoundsError, MAX_LEDGER_POINTS } from "../../app/loyalty/ledger.server";
import { pointsForOrder } from "../../app/loyalty/earning";
import { useFreshDatabase, usingPostgres } from "../support/database";

const SHOP = "bounds.myshopify.com";
let customerId: number;

beforeAll(async () => {
  await useFreshDatabase();
  customerId = (await db.customer.create({ data: { shop: SHOP, shopifyId: "1" } })).id;
});
afterAll(() => db.$disconnect());

const entry = (delta: number, key: string) => ({
  shop: SHOP,
  customerId,
  delta,
  kind: "adjust" as const,
  reason: "test",
  idempotencyKey: key,
});

describe("the ledger module", () => {
  it.each([1.5, MAX_LEDGER_POINTS + 1, -(MAX_LEDGER_POINTS + 1), Number.NaN, Infinity, 2 ** 63])(
    "refuses a delta of %s and writes nothing",
    async (delta) => {
      await expect(db.$transaction((tx) => appendEntry(tx, entry(delta, `bad-${delta}`)))).rejects.toThrow(LedgerBoundsError);
      expect(await db.ledgerEntry.count()).toBe(0);
      expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).pointsBalance).toBe(0);
    },
  );

  it("takes the bound itself, and the balance follows", async () => {
    await db.$transaction((tx) => appendEntry(tx, entry(MAX_LEDGER_POINTS, "max")));
    expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).pointsBalance).toBe(MAX_LEDGER_POINTS);
  });
});

describe("the database", () => {
  const insert = (delta: string, key: string) =>
    db.$executeRawUnsafe(
      `INSERT INTO "LedgerEntry" ("shop", "customerId", "delta", "kind", "reason", "shortfall", "idempotencyKey", "createdAt")
     VALUES ('${SHOP}', ${customerId}, ${delta}, 'adjust', 'raw', 0, '${key}', CURRENT_TIMESTAMP)`,
    );

  it.each(["1000000001", "-1000000001", "100000000000000000000"])("refuses a raw ledger row of %s points", async (delta) => {
    await expect(insert(delta, `raw-${delta}`)).rejects.toThrow();
  });

  it.skipIf(usingPostgres)(
    "refuses a fractional ledger row (SQLite would store it as REAL; PostgreSQL's INTEGER column cannot hold one)",
    async () => {
      await expect(insert("12.5", "raw-fraction")).rejects.toThrow(/whole numbers/);
    },
  );

  it("refuses to change a ledger row once written", async () => {
    await expect(db.$executeRawUnsafe(`UPDATE "LedgerEntry" SET "delta" = 1`)).rejects.toThrow(/append-only/);
  });
});

describe("earning", () => {
  it("is exact at the largest subtotal, rate and multiplier (past 2^53 in between)", () => {
    // 10,000,000.00 × 1,000 points per unit × 10 = 10^11 points: the product in millis is 10^19.
    expect(
      pointsForOrder(
        { subtotalCents: 1_000_000_000, test: false, customerShopifyId: "1" },
        { pointsPerUnit: 1000 },
        { multiplier: 10 },
      ),
    ).toBe(100_000_000_000);
    expect(
      pointsForOrder(
        { subtotalCents: 999_999_999, test: false, customerShopifyId: "1" },
        { pointsPerUnit: 0.001 },
        { multiplier: 1.25 },
      ),
    ).toBe(12_499);
  });
});
