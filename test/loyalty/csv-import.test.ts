// Importing starting balances from another app's CSV, on a real database (SQLite, or PostgreSQL
// when TEST_POSTGRES_URL is set): good rows become `adjust` rows, malformed rows and unknown
// customers are reported with their line, and uploading the same file again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import {
  IMPORT_REASON,
  ImportFileError,
  importBalances,
  recogniseColumns,
  type ImportProblem,
} from "../../app/loyalty/points-import.server";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";

const SHOP = "import-shop.myshopify.com";
const OTHER = "import-other.myshopify.com";

function source(text: string) {
  const bytes = new TextEncoder().encode(text);
  // Small chunks, so records cross chunk boundaries as they do in an upload.
  return async function* () {
    for (let i = 0; i < bytes.length; i += 7) yield bytes.slice(i, i + 7);
  };
}

async function run(shop: string, text: string) {
  const problems: ImportProblem[] = [];
  const result = await importBalances(shop, source(text), { actor: "Owner", onProblem: (p) => problems.push(p), batchSize: 3 });
  return { result, problems };
}

beforeAll(async () => {
  await useFreshDatabase();
  for (const domain of [SHOP, OTHER]) {
    await db.shop.create({ data: { domain, name: domain, currency: "USD", timezone: "UTC" } });
    await db.programSettings.create({ data: { shop: domain } });
  }
  await db.customer.createMany({
    data: [
      { shop: SHOP, shopifyId: "1001", email: "ana@example.com" },
      { shop: SHOP, shopifyId: "1002", email: "Bo@Example.com" },
      { shop: SHOP, shopifyId: "1003", email: "cy@example.com" },
      { shop: SHOP, shopifyId: "1004", email: "twin@example.com" },
      { shop: SHOP, shopifyId: "1005", email: "twin@example.com" },
      { shop: SHOP, shopifyId: "1006", email: null, redactedAt: new Date() },
      { shop: OTHER, shopifyId: "1001", email: "ana@example.com" },
    ],
  });
}, 60_000);
afterAll(() => db.$disconnect());

// A LoyaltyLion-style export (customer id, email, approved points), with every kind of bad row.
const FILE = [
  "merchant_id,email,points_approved,points_pending",
  "1001,ana@example.com,120,5", // 2: by id
  ",BO@example.com,80,0", // 3: by email, case-insensitive
  "gid://shopify/Customer/1003,,1500.0,0", // 4: a gid and a decimal point
  "9999,ghost@example.com,10,0", // 5: unknown customer
  ",twin@example.com,10,0", // 6: two customers share the email
  "1006,,10,0", // 7: erased customer
  "1001,,999,0", // 8: the same customer again
  "abc,,10,0", // 9: not an id
  ",nobody,10,0", // 10: not an email
  "1002,,12.5,0", // 11: not whole points
  "1002,,-4,0", // 12: negative
  "1002,,,0", // 13: no points
  "1003,,0,0", // 14: zero: nothing to import, not a problem
  '"1002,"broken,1,0', // 15: malformed quoting ends up not an id
].join("\r\n");

describe("importing starting balances", () => {
  it("imports the good rows and reports every other one with its line and reason", async () => {
    const { result, problems } = await run(SHOP, FILE);
    expect(result).toMatchObject({ rows: 14, imported: 3, alreadyImported: 0, zero: 1, unknown: 1, problems: 10, points: 1700 });
    expect(problems.map((p) => p.line).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 15]);
    expect(problems.find((p) => p.line === 5)?.reason).toMatch(
      /No customer with Shopify ID 9999 or with email ghost@example.com/,
    );
    expect(problems.find((p) => p.line === 6)?.reason).toMatch(/2 customers share/);
    expect(problems.find((p) => p.line === 8)?.reason).toMatch(/line 2/);
    expect(problems.find((p) => p.line === 11)?.reason).toMatch(/whole number/);
    expect(await pointsOf("1001", SHOP)).toBe(120);
    expect(await pointsOf("1002", SHOP)).toBe(80);
    expect(await pointsOf("1003", SHOP)).toBe(1500);
    expect(await pointsOf("1004", SHOP)).toBe(0);
    expect(await pointsOf("1001", OTHER)).toBe(0); // the other shop's Ana is not touched
    const entry = await db.ledgerEntry.findFirst({ where: { shop: SHOP, customer: { shopifyId: "1001" } } });
    expect(entry).toMatchObject({ kind: "adjust", delta: 120, reason: IMPORT_REASON, actor: "Owner" });
    expect(entry?.idempotencyKey).toBe(`import:${result.fileHash}:${entry?.customerId}`);
  });

  it("changes nothing when the same file is uploaded again", async () => {
    const before = await db.ledgerEntry.count();
    const { result } = await run(SHOP, FILE);
    expect(result).toMatchObject({ imported: 0, alreadyImported: 3, points: 0 });
    expect(await db.ledgerEntry.count()).toBe(before);
    expect(await pointsOf("1001", SHOP)).toBe(120);
  });

  it("recognises Smile.io and Yotpo style headers and refuses a file without a points or customer column", async () => {
    expect(recogniseColumns(["email", "points"])).toEqual({ customerId: null, email: 0, points: 1 });
    expect(recogniseColumns(["First Name", "Email", "Point Balance"])).toEqual({ customerId: null, email: 1, points: 2 });
    expect(recogniseColumns(["Customer ID", "Points Balance"])).toEqual({ customerId: 0, email: null, points: 1 });
    await expect(run(SHOP, "email,tier\r\na@example.com,Gold")).rejects.toThrow(ImportFileError);
    await expect(run(SHOP, "name,points\r\nAna,4")).rejects.toThrow(/No customer column/);
    await expect(run(SHOP, "")).rejects.toThrow(/empty/);
  });
});
