// Bulk adjustments from the customer list, on a real database (SQLite, or PostgreSQL when
// TEST_POSTGRES_URL is set): one `adjust` row per matching customer, a retried batch changes
// nothing, removals stop at zero with the shortfall recorded, the filter and the shop are respected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { bulkAdjust, bulkKey } from "../../app/loyalty/bulk-adjust.server";
import { memberList, type MemberFilter } from "../../app/loyalty/customer-list.server";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";

const SHOP = "bulk-shop.myshopify.com";
const OTHER = "bulk-other.myshopify.com";
const filter = (f: Partial<MemberFilter> = {}): MemberFilter => ({ q: "", segment: null, atRisk: false, ...f });
const ids: Record<string, number> = {};

async function customer(shop: string, shopifyId: string, email: string, balance: number, redacted = false) {
  const row = await db.customer.create({
    data: { shop, shopifyId, email, firstName: shopifyId, redactedAt: redacted ? new Date() : null },
  });
  ids[`${shop}:${shopifyId}`] = row.id;
  if (balance) {
    await db.$transaction((tx) =>
      appendEntry(tx, {
        shop,
        customerId: row.id,
        delta: balance,
        kind: "earn",
        reason: "seed",
        idempotencyKey: `seed:${row.id}`,
      }),
    );
  }
}

beforeAll(async () => {
  await useFreshDatabase();
  for (const domain of [SHOP, OTHER]) {
    await db.shop.create({ data: { domain, name: domain, currency: "USD", timezone: "UTC" } });
    await db.programSettings.create({ data: { shop: domain } });
  }
  await customer(SHOP, "1", "vip-a@example.com", 100);
  await customer(SHOP, "2", "vip-b@example.com", 30);
  await customer(SHOP, "3", "vip-c@example.com", 0);
  await customer(SHOP, "4", "plain@example.com", 500);
  await customer(SHOP, "5", "vip-gone@example.com", 70, true);
  await customer(OTHER, "1", "vip-a@example.com", 100);
}, 60_000);
afterAll(() => db.$disconnect());

describe("bulk adjustments", () => {
  it("adds points to every customer the search matches, once, however often the batch is submitted", async () => {
    const input = { delta: 25, reason: "Spring thank-you", nonce: "batch-add-0001" };
    // vip-a, vip-b, vip-c match; vip-gone matches but was erased; plain and the other shop do not match.
    const first = await bulkAdjust(SHOP, filter({ q: "vip" }), input, "Owner <o@example.com>", { chunkSize: 2 });
    expect(first).toMatchObject({ matched: 4, adjusted: 3, alreadyDone: 0, skippedRedacted: 1, skippedNoPoints: 0 });
    const again = await bulkAdjust(SHOP, filter({ q: "vip" }), input, "Owner <o@example.com>", { chunkSize: 3 });
    expect(again).toMatchObject({ matched: 4, adjusted: 0, alreadyDone: 3, skippedRedacted: 1 });

    expect(await pointsOf("1", SHOP)).toBe(125);
    expect(await pointsOf("2", SHOP)).toBe(55);
    expect(await pointsOf("3", SHOP)).toBe(25);
    expect(await pointsOf("4", SHOP)).toBe(500); // not matching
    expect(await pointsOf("5", SHOP)).toBe(70); // erased: untouched
    expect(await pointsOf("1", OTHER)).toBe(100); // another shop
    const row = await db.ledgerEntry.findUnique({
      where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: bulkKey(input.nonce, ids[`${SHOP}:1`]) } },
    });
    expect(row).toMatchObject({
      kind: "adjust",
      delta: 25,
      reason: "Spring thank-you",
      actor: "Owner <o@example.com>",
      shortfall: 0,
    });
  });

  it("removes at most what each customer has, records the rest as shortfall, and skips empty balances", async () => {
    // Balances now: 1 → 125, 2 → 55, 3 → 25 (after the test above); 3 is emptied first.
    await bulkAdjust(SHOP, filter({ q: "vip-c" }), { delta: -25, reason: "Correction", nonce: "batch-empty-03" }, null);
    expect(await pointsOf("3", SHOP)).toBe(0);

    const input = { delta: -100, reason: "Expired promo", nonce: "batch-take-0001" };
    const result = await bulkAdjust(SHOP, filter({ q: "vip" }), input, null);
    // 1: 125 → 25 in full; 2: 55 taken, 45 short; 3: nothing to take; 5: erased.
    expect(result).toMatchObject({ matched: 4, adjusted: 2, skippedNoPoints: 1, skippedRedacted: 1, partial: 1, shortfall: 45 });
    expect(await pointsOf("1", SHOP)).toBe(25);
    expect(await pointsOf("2", SHOP)).toBe(0);
    expect(await pointsOf("3", SHOP)).toBe(0);
    const short = await db.ledgerEntry.findUnique({
      where: { shop_idempotencyKey: { shop: SHOP, idempotencyKey: bulkKey(input.nonce, ids[`${SHOP}:2`]) } },
    });
    expect(short).toMatchObject({ delta: -55, shortfall: 45 });

    // The retry finds everything done: no balance moves, nothing appended.
    const before = await db.ledgerEntry.count();
    expect(await bulkAdjust(SHOP, filter({ q: "vip" }), input, null)).toMatchObject({ adjusted: 0, alreadyDone: 2 });
    expect(await db.ledgerEntry.count()).toBe(before);
  });

  it("removes the full amount when the program allows negative balances", async () => {
    await db.programSettings.update({ where: { shop: OTHER }, data: { allowNegativeBalance: true } });
    const result = await bulkAdjust(OTHER, filter(), { delta: -150, reason: "Reset", nonce: "batch-negative1" }, null);
    expect(result).toMatchObject({ matched: 1, adjusted: 1, shortfall: 0 });
    expect(await pointsOf("1", OTHER)).toBe(-50);
  });

  it("adjusts exactly the customers of the segment the list is filtered by", async () => {
    const SEG = "bulk-segments.myshopify.com";
    await db.shop.create({ data: { domain: SEG, name: SEG, currency: "USD", timezone: "UTC" } });
    await db.programSettings.create({ data: { shop: SEG } });
    // Ten customers, the first ones recent and frequent, the last ones long gone: several segments.
    const day = 86_400_000;
    for (let i = 0; i < 10; i++) {
      const c = await db.customer.create({ data: { shop: SEG, shopifyId: `s${i}`, email: `s${i}@example.com` } });
      for (let n = 0; n < 10 - i; n++) {
        await db.order.create({
          data: {
            shop: SEG,
            shopifyId: `s${i}-${n}`,
            name: `#${i}${n}`,
            customerId: c.id,
            currency: "USD",
            processedAt: new Date(Date.now() - (i * 60 + n * 7 + 1) * day),
            subtotalCents: (10 - i) * 1000,
            totalCents: (10 - i) * 1000,
          },
        });
      }
    }
    const everyone = memberList(SEG, filter());
    const rows = (await everyone.page({ limit: 50 })).rows;
    const segment = rows.find((r) => r.shopifyId === "s0")?.segment;
    expect(segment).toBeTruthy();
    const inSegment = rows
      .filter((r) => r.segment === segment)
      .map((r) => r.shopifyId)
      .sort();
    expect(inSegment.length).toBeLessThan(10);

    const result = await bulkAdjust(
      SEG,
      filter({ segment }),
      { delta: 7, reason: "Segment thanks", nonce: "batch-segment-1" },
      null,
    );
    expect(result.adjusted).toBe(inSegment.length);
    const adjusted = await db.ledgerEntry.findMany({
      where: { shop: SEG, reason: "Segment thanks" },
      select: { customer: { select: { shopifyId: true } } },
    });
    expect(adjusted.map((e) => e.customer.shopifyId).sort()).toEqual(inSegment);
  });
});
