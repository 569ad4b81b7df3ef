// The webhook processor's raw statements on SQLite go straight to the driver inside its Prisma
// transaction (app/db/direct-sql.server.ts, ADR 0035). Callers must not be able to tell: the same
// statements, sent through Prisma and directly, give the same rows (types included: numbers,
// bigints, Dates, booleans, nulls) and write the same values, and run in that transaction (its
// rollback takes them). On PostgreSQL the client is Prisma's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, type Tx } from "../../app/db.server";
import { directStatements, withDirectSql } from "../../app/db/direct-sql.server";
import { execute, query } from "../../app/db/sql.server";
import { useFreshDatabase, usingPostgres } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const SHOP = "direct-sql.myshopify.com";
const at = new Date("2026-11-01T10:00:00.123Z");

/** Each value with its type, so 1 and 1n, a Date and its text, true and 1 differ. */
function typed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typed);
  if (value instanceof Date) return { Date: value.toISOString() };
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typed(v)]));
  return { [typeof value]: typeof value === "bigint" ? String(value) : value };
}

/** Runs `work` once through Prisma's transaction client and once through the direct one; both results. */
async function bothWays<T>(
  work: (tx: Tx, run: "prisma" | "direct") => Promise<T>,
): Promise<{ prisma: T; direct: T; directCount: number }> {
  return db.$transaction(async (tx) => {
    const prisma = await work(tx, "prisma");
    const before = directStatements;
    const direct = await withDirectSql(tx, (fast) => work(fast, "direct"));
    return { prisma, direct, directCount: directStatements - before };
  });
}

describe.skipIf(usingPostgres)("raw statements straight on the SQLite driver", () => {
  beforeAll(async () => {
    await db.shop.create({ data: { domain: SHOP } });
    await db.programSettings.create({ data: { shop: SHOP, pointsPerUnit: 1.5, tiersEnabled: true, updatedAt: at } });
    await db.session.create({
      data: {
        id: "s1",
        shop: SHOP,
        state: "x",
        isOnline: false,
        accessToken: "t",
        userId: 9_007_199_254_740_993n,
        expires: null,
      },
    });
  });

  it("writes rows as Prisma writes them: Dates, booleans, nulls, floats, bigints and text", async () => {
    const insert = (tx: Tx, run: string) =>
      query<{ id: number; createdAt: Date; cancelledAt: Date | null; test: boolean; name: string | null }>(
        tx,
        `INSERT INTO "Order" ("shop", "shopifyId", "name", "customerId", "processedAt", "subtotalCents", "totalCents",
           "refundedSubtotalCents", "currency", "financialStatus", "cancelledAt", "test", "discountCodes", "createdAt", "updatedAt")
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING "id", "shopifyId", "name", "customerId", "processedAt", "subtotalCents", "test", "cancelledAt", "createdAt"`,
        [
          ...[SHOP, `${run}-1`, "#1 ✓", null, at, 1999, 2500, 0, "USD", "paid", null, true, null, at, at],
          ...[SHOP, `${run}-2`, null, null, new Date(0), 0, 1, 5, "EUR", null, at, false, "A,B", at, at],
        ],
      );
    const { prisma, direct, directCount } = await bothWays(insert);
    expect(directCount).toBe(1);
    const withoutIds = (rows: Record<string, unknown>[]) =>
      typed(
        rows.map(({ id, shopifyId, ...rest }) => ({ id: typeof id, shopifyId: String(shopifyId).replace(/^\w+-/, ""), ...rest })),
      );
    expect(withoutIds(direct)).toEqual(withoutIds(prisma));
    // Read back through Prisma's models: the same values either way.
    const rows = await db.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" } });
    const stored = (run: string) =>
      rows.filter((r) => r.shopifyId.startsWith(run)).map(({ id: _id, shopifyId: _shopifyId, ...rest }) => rest);
    expect(stored("direct")).toEqual(stored("prisma"));
    expect(stored("direct")[0]).toMatchObject({ test: true, processedAt: at, name: "#1 ✓" });
  });

  it("reads every declared column type and computed values as Prisma does", async () => {
    const read = async (tx: Tx) => [
      await query(tx, `SELECT * FROM "Order" WHERE "shop" = ? ORDER BY "shopifyId"`, [SHOP]),
      await query(tx, `SELECT * FROM "ProgramSettings" WHERE "shop" = ?`, [SHOP]),
      await query(tx, `SELECT "userId", "isOnline", "expires" FROM "Session" WHERE "id" = ?`, ["s1"]),
      await query(
        tx,
        `SELECT COUNT(*) AS n, SUM("subtotalCents") AS total, MAX("processedAt") AS latest, AVG("totalCents") AS mean,
           "test" = ? AS flag, NULL AS "nil", 'x' || "currency" AS label
         FROM "Order" WHERE "shop" = ? AND "processedAt" >= ? GROUP BY "test" ORDER BY "test"`,
        [true, SHOP, new Date(0)],
      ),
      await query(tx, `SELECT "id" FROM "Order" WHERE "shop" = ? AND "cancelledAt" IS NULL AND "id" < ?`, [SHOP, 10n ** 15n]),
    ];
    const { prisma, direct, directCount } = await bothWays(read);
    expect(directCount).toBe(5);
    expect(typed(direct)).toEqual(typed(prisma));
    expect((prisma[2] as { userId: unknown }[])[0].userId).toBe(9_007_199_254_740_993n);
  });

  it("counts changed rows as Prisma does", async () => {
    const change = (tx: Tx) =>
      execute(tx, `UPDATE "Order" SET "financialStatus" = ?, "updatedAt" = ? WHERE "shop" = ? AND "test" = ?`, [
        "refunded",
        at,
        SHOP,
        false,
      ]);
    const { prisma, direct } = await bothWays(change);
    expect(direct).toBe(prisma);
    expect(direct).toBe(2);
  });

  it("runs in the transaction: its rollback takes the direct writes", async () => {
    const failed = await db
      .$transaction((tx) =>
        withDirectSql(tx, async (fast) => {
          await execute(fast, `UPDATE "Shop" SET "name" = ? WHERE "domain" = ?`, ["Changed", SHOP]);
          expect((await query<{ name: string }>(fast, `SELECT "name" FROM "Shop" WHERE "domain" = ?`, [SHOP]))[0].name).toBe(
            "Changed",
          );
          throw new Error("rolled back");
        }),
      )
      .catch((error: Error) => error.message);
    expect(failed).toBe("rolled back");
    expect((await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).name).toBeNull();
  });

  it("leaves to Prisma what it does not convert, and anything after the work ends", async () => {
    let leaked: Tx | undefined;
    const before = directStatements;
    await db.$transaction((tx) =>
      withDirectSql(tx, async (fast) => {
        leaked = fast;
        // An object parameter is Prisma's to serialise.
        await query(fast, `SELECT ? AS v`, [{ a: 1 }]).catch(() => null);
      }),
    );
    expect(directStatements).toBe(before);
    // Used after its transaction ended, the client fails as Prisma's own does.
    await expect(query(leaked!, `SELECT 1 AS one`, [])).rejects.toThrow();
  });
});

describe.runIf(usingPostgres)("on PostgreSQL", () => {
  it("hands the work Prisma's own transaction client", async () => {
    await db.$transaction(async (tx) => {
      await withDirectSql(tx, async (fast) => expect(fast).toBe(tx));
    });
  });
});
