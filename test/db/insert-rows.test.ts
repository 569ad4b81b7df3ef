// insertRows: the rows it writes read back exactly as given, on SQLite and on PostgreSQL, whatever
// the strings hold (quotes, backslashes, braces, commas, the word NULL, unicode), whether a column
// varies or every row shares its value, and for a single row. On PostgreSQL the array text it
// builds is also parsed by the server back into the very strings it came from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, type Tx } from "../../app/db.server";
import { arrayLiteral, insertRows, query } from "../../app/db/sql.server";
import { useFreshDatabase, usingPostgres } from "../support/database";

const tx = db as unknown as Tx;
beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const HOSTILE = [
  "plain",
  'say "hi"',
  "back\\slash",
  '\\"',
  "{a,b}",
  "a, b",
  "NULL",
  "null",
  " spaced ",
  "",
  "ünïcødé ✓",
  "tab\tnew\nline",
  "'single'",
];

/** Strings of printable ASCII and a little more, with the characters array syntax cares about over-represented. */
function randomStrings(count: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['"', "\\", "{", "}", ",", " ", "N", "U", "L", "a", "é", "'", "\n", "1"];
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 12) }, () =>
      next() < 0.6 ? alphabet[Math.floor(next() * alphabet.length)] : String.fromCharCode(32 + Math.floor(next() * 95)),
    ).join(""),
  );
}

describe("insertRows", () => {
  const SHOP = "insert-rows.myshopify.com";
  const write = (rows: unknown[][]) => {
    const values = insertRows(["text", "text", "text", "integer", "timestamp"], rows);
    return query(
      tx,
      `INSERT INTO "Refund" ("shop", "shopifyId", "orderShopifyId", "subtotalCents", "createdAt") ${values.sql}`,
      values.params,
    );
  };
  const stored = () =>
    db.refund.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      select: { shopifyId: true, orderShopifyId: true, subtotalCents: true, createdAt: true },
    });

  it("writes varying and shared values exactly, whatever the strings hold, and one row alone", async () => {
    const shared = new Date("2026-11-02T03:04:05.678Z");
    const texts = [...HOSTILE, ...randomStrings(300, 7)];
    // shop and createdAt are the same in every row (sent once on PostgreSQL); the rest vary.
    await write(texts.map((text, i) => [SHOP, `r${i}`, text, i * 3 - 7, shared]));
    await write([[SHOP, "single", 'one "row" \\ {x}', 42, new Date("2027-01-01T00:00:00.001Z")]]);
    const rows = await stored();
    expect(rows).toEqual([
      ...texts.map((text, i) => ({ shopifyId: `r${i}`, orderShopifyId: text, subtotalCents: i * 3 - 7, createdAt: shared })),
      {
        shopifyId: "single",
        orderShopifyId: 'one "row" \\ {x}',
        subtotalCents: 42,
        createdAt: new Date("2027-01-01T00:00:00.001Z"),
      },
    ]);
  });
});

describe.skipIf(!usingPostgres)("arrayLiteral on PostgreSQL", () => {
  it("is read by the server as exactly the strings, numbers, booleans and nulls it came from", async () => {
    const strings: (string | null)[] = [...HOSTILE, null, ...randomStrings(2000, 11)];
    const [row] = await query<{ texts: (string | null)[]; numbers: number[]; flags: boolean[] }>(
      tx,
      `SELECT ?::text[] AS "texts", ?::integer[] AS "numbers", ?::boolean[] AS "flags"`,
      [arrayLiteral(strings), arrayLiteral([0, -5, 2147483647, null]), arrayLiteral([true, false, null])],
    );
    expect(row.texts).toEqual(strings);
    expect(row.numbers).toEqual([0, -5, 2147483647, null]);
    expect(row.flags).toEqual([true, false, null]);
  });
});
