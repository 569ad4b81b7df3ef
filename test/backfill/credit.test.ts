// "Credit past purchases": the owner's one-off award for imported orders, recorded in the ledger
// under the webhook path's keys so that no order ever earns twice.
import { installedShop, server, startBackfillEnvironment, stopBackfillEnvironment } from "./support"; // first: msw before the Shopify library
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { creditPastPurchases, requestCredit, runCreditRequest } from "../../app/backfill/credit.server";
import { backfillProgress, requestBackfill, runBackfill } from "../../app/backfill/jobs.server";
import { record } from "../../app/webhooks/inbox.server";
import { drainInbox } from "../../app/webhooks/processor.server";
import { bulkOperationsApi, bulkOrder, jsonl } from "../shopify/bulk-handlers";
import { entriesOf, pointsOf } from "../support/ledger";
import { orderPayload } from "../support/shopify";

beforeAll(startBackfillEnvironment);
afterEach(() => server.resetHandlers());
afterAll(stopBackfillEnvironment);

async function imported(orders: ReturnType<typeof bulkOrder>[]) {
  const { shop, admin } = await installedShop();
  server.use(...bulkOperationsApi(shop, { files: { orders: jsonl(orders) } }).handlers);
  await requestBackfill(shop);
  expect((await runBackfill(shop, admin, { pollDelayMs: 0 })).status).toBe("done");
  return shop;
}

describe("credit past purchases", () => {
  it("awards each paid historical order once under the normal rules, and a second click awards nothing", async () => {
    const shop = await imported([
      bulkOrder({ id: 301, customerId: 11, subtotal: "120.50" }), // 120 points
      bulkOrder({ id: 302, customerId: 11, subtotal: "80.00", refunds: [{ id: 3021, subtotal: "30.00" }] }), // 80, then 30 back
      bulkOrder({ id: 303, customerId: null, subtotal: "99.00" }), // guest: nothing
      bulkOrder({ id: 304, customerId: 12, subtotal: "60.00", test: true }), // test order: nothing
      bulkOrder({ id: 305, customerId: 12, subtotal: "70.00", cancelledAt: "2024-06-02T09:00:00Z" }), // cancelled: nothing
      bulkOrder({ id: 306, customerId: 12, subtotal: "45.00", financialStatus: "PENDING" }), // never paid: nothing
      bulkOrder({ id: 307, customerId: 12, subtotal: "25.99" }), // 25 points
    ]);
    expect(await db.ledgerEntry.count({ where: { shop } })).toBe(0);

    expect(await requestCredit(shop)).toBe(true);
    expect(await runCreditRequest(shop)).toEqual({ orders: 3, points: 120 + 80 + 25 });
    expect(await pointsOf(11, shop)).toBe(120 + 80 - 30);
    expect(await pointsOf(12, shop)).toBe(25);
    expect((await entriesOf(11, shop)).map((e) => [e.kind, e.delta, e.idempotencyKey])).toEqual([
      ["earn", 120, "order:301:earn"],
      ["earn", 80, "order:302:earn"],
      ["refund", -30, "refund:3021:clawback"],
    ]);
    expect((await backfillProgress(shop))?.credit).toMatchObject({ status: "done", orders: 3, points: 225 });

    expect(await requestCredit(shop)).toBe(true);
    expect(await runCreditRequest(shop)).toEqual({ orders: 0, points: 0 });
    expect(await pointsOf(11, shop)).toBe(170);
    expect(await db.ledgerEntry.count({ where: { shop } })).toBe(4);
    expect((await backfillProgress(shop))?.credit).toMatchObject({ status: "done", orders: 0, points: 0 });
  });

  it("skips orders that already earned through orders/paid", async () => {
    const shop = await imported([
      bulkOrder({ id: 401, customerId: 21, subtotal: "50.00" }),
      bulkOrder({ id: 402, customerId: 21, subtotal: "10.00" }),
    ]);
    await record({
      shop,
      eventId: "evt-401",
      topic: "ORDERS_PAID",
      payload: JSON.stringify(orderPayload({ id: 401, customerId: 21, subtotal: "50.00" })),
    });
    await drainInbox();
    expect(await pointsOf(21, shop)).toBe(50);

    expect(await creditPastPurchases(shop, { chunkSize: 1 })).toEqual({ orders: 1, points: 10 });
    expect(await pointsOf(21, shop)).toBe(60);
  });

  it("uses the shop's earning rate", async () => {
    const shop = await imported([bulkOrder({ id: 501, customerId: 31, subtotal: "40.00" })]);
    await db.programSettings.update({ where: { shop }, data: { pointsPerUnit: 2.5 } });
    expect(await creditPastPurchases(shop)).toEqual({ orders: 1, points: 100 });
  });

  it("credits a shop of more than a thousand orders in full chunks, refunds settled in each", async () => {
    // A full chunk is 1,000 orders: more than Prisma lets one query name on SQLite.
    const orders = Array.from({ length: 1_500 }, (_, i) =>
      bulkOrder({
        id: 600_000 + i,
        customerId: 700 + (i % 50),
        subtotal: "10.00",
        refunds: i % 100 === 0 ? [{ id: 900_000 + i, subtotal: "4.00" }] : [],
      }),
    );
    const shop = await imported(orders);
    expect(await creditPastPurchases(shop)).toEqual({ orders: 1_500, points: 15_000 });
    expect(await db.ledgerEntry.count({ where: { shop, kind: "refund" } })).toBe(15);
    expect(await pointsOf(700, shop)).toBe(30 * 10 - 15 * 4);
  }, 120_000);

  it("is refused until the import is done, and while a credit is already under way", async () => {
    const { shop } = await installedShop();
    await requestBackfill(shop);
    expect(await requestCredit(shop)).toBe(false); // still pending
    await db.backfillJob.update({ where: { shop }, data: { status: "done" } });
    expect(await requestCredit(shop)).toBe(true);
    expect(await requestCredit(shop)).toBe(false); // the first request has not run yet
  });
});
