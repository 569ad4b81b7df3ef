// Historical backfill: Shopify's bulk export (emulated by msw at the network edge) streamed into
// the shop's tables through the webhook path's upserts, on a real database.
import { installedShop, server, snapshot, startBackfillEnvironment, stopBackfillEnvironment } from "./support"; // first: msw before the Shopify library
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { advanceBackfill, backfillProgress, requestBackfill, runBackfill } from "../../app/backfill/jobs.server";
import { startBulkExport } from "../../app/shopify/bulk.server";
import { record } from "../../app/webhooks/inbox.server";
import { drainInbox } from "../../app/webhooks/processor.server";
import { bulkCustomer, bulkOperationsApi, bulkOrder, jsonl } from "../shopify/bulk-handlers";
import { pointsOf } from "../support/ledger";
import { orderPayload, refundPayload } from "../support/shopify";

beforeAll(startBackfillEnvironment);
afterEach(() => server.resetHandlers());
afterAll(stopBackfillEnvironment);

const fast = { pollDelayMs: 0, backoffMs: 0 };

/** `n` orders over n/3 customers; every 10th refunded in part, every 25th cancelled. */
function history(n: number, firstId = 9_100_000_000) {
  const orders = Array.from({ length: n }, (_, i) =>
    bulkOrder({
      id: firstId + i,
      customerId: i % 7 === 6 ? null : 7_100_000_000 + (i % Math.max(1, Math.floor(n / 3))),
      subtotal: `${10 + (i % 50)}.${String(i % 100).padStart(2, "0")}`,
      processedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
      cancelledAt: i % 25 === 24 ? "2024-06-01T00:00:00Z" : null,
      refunds: i % 10 === 9 ? [{ id: firstId + 5_000_000 + i, subtotal: "5.00" }] : [],
    }),
  );
  const customers = Array.from({ length: Math.floor(n / 3) + 2 }, (_, i) => bulkCustomer(7_100_000_000 + i));
  return { orders: jsonl(orders), customers: jsonl(customers) };
}

async function webhook(shop: string, topic: "ORDERS_PAID" | "REFUNDS_CREATE", payload: unknown) {
  await record({ shop, eventId: crypto.randomUUID(), topic, payload: JSON.stringify(payload) });
  await drainInbox();
}

describe("a full import", () => {
  it("brings in orders, their customers and refunds, and customers without orders, awarding no points", async () => {
    const { shop, admin } = await installedShop();
    const api = bulkOperationsApi(shop, {
      pollsWhileRunning: 2,
      files: {
        orders: jsonl([
          bulkOrder({ id: 501, customerId: 1, subtotal: "120.50", total: "135.00", processedAt: "2024-05-01T12:00:00Z" }),
          // 80.00 with a 30.00 refund: subtotal after returns 50.00
          bulkOrder({ id: 502, customerId: 1, subtotal: "80.00", refunds: [{ id: 9502, subtotal: "30.00", total: "33.00" }] }),
          bulkOrder({ id: 503, customerId: null, subtotal: "40.00" }),
          bulkOrder({ id: 504, customerId: 2, subtotal: "60.00", test: true }),
          // Two refunds of 20.00 in all, paid back 5.00 and 15.00 → split 5.00 / 15.00
          bulkOrder({
            id: 505,
            customerId: 2,
            subtotal: "70.00",
            cancelledAt: "2024-06-02T09:00:00Z",
            financialStatus: "REFUNDED",
            refunds: [
              { id: 9505, subtotal: "5.00" },
              { id: 9506, subtotal: "15.00" },
            ],
          }),
        ]),
        customers: jsonl([bulkCustomer(1), bulkCustomer(2), bulkCustomer(3, { email: "only-browsing@example.com" })]),
      },
    });
    server.use(...api.handlers);

    await requestBackfill(shop);
    const job = await runBackfill(shop, admin, fast);

    expect(job).toMatchObject({ status: "done", phase: "customers", lastError: null });
    expect(api.downloads).toEqual(["orders", "customers"]);
    const data = await snapshot(shop);
    expect(data.orders).toEqual([
      {
        shopifyId: "501",
        name: "#1501",
        customer: "1",
        processedAt: "2024-05-01T12:00:00.000Z",
        subtotalCents: 12050,
        totalCents: 13500,
        refundedSubtotalCents: 0,
        financialStatus: "paid",
        cancelledAt: null,
        test: false,
      },
      expect.objectContaining({
        shopifyId: "502",
        customer: "1",
        subtotalCents: 8000,
        refundedSubtotalCents: 3000,
        financialStatus: "partially_refunded",
      }),
      expect.objectContaining({ shopifyId: "503", customer: null, subtotalCents: 4000 }),
      expect.objectContaining({ shopifyId: "504", customer: "2", test: true }),
      expect.objectContaining({
        shopifyId: "505",
        refundedSubtotalCents: 2000,
        cancelledAt: "2024-06-02T09:00:00.000Z",
        financialStatus: "refunded",
      }),
    ]);
    expect(data.refunds).toEqual([
      { shopifyId: "9502", order: "502", subtotalCents: 3000, createdAt: "2025-03-05T10:00:00.000Z" },
      expect.objectContaining({ shopifyId: "9505", order: "505", subtotalCents: 500 }),
      expect.objectContaining({ shopifyId: "9506", order: "505", subtotalCents: 1500 }),
    ]);
    expect(data.customers).toEqual([
      // The customers export, read after the orders, has the profile of record.
      { shopifyId: "1", email: "customer1@example.com", firstName: "Riley", lastName: "Regular", points: 0 },
      expect.objectContaining({ shopifyId: "2" }),
      { shopifyId: "3", email: "only-browsing@example.com", firstName: "Riley", lastName: "Regular", points: 0 },
    ]);
    expect(data.ledger).toBe(0);
  });

  it("takes birthdays from Shopify's facts.birth_date, never over one the shopper already gave", async () => {
    const { shop, admin } = await installedShop();
    await db.customer.create({ data: { shop, shopifyId: "12", birthday: "07-04", birthdayChangedAt: new Date() } });
    const api = bulkOperationsApi(shop, {
      files: {
        orders: jsonl([]),
        customers: jsonl([
          bulkCustomer(11, { birthDate: "1992-02-29" }),
          bulkCustomer(12, { birthDate: "1985-12-01" }),
          bulkCustomer(13, { birthDate: "not a date" }),
          bulkCustomer(14),
          bulkCustomer(15, { birthDate: "2001-02-29" }), // 29 February of a year without one: not a date
        ]),
      },
    });
    server.use(...api.handlers);

    await requestBackfill(shop);
    expect(await runBackfill(shop, admin, fast)).toMatchObject({ status: "done" });
    const rows = await db.customer.findMany({
      where: { shop },
      orderBy: { shopifyId: "asc" },
      select: { shopifyId: true, birthday: true },
    });
    expect(rows).toEqual([
      { shopifyId: "11", birthday: "02-29" },
      { shopifyId: "12", birthday: "07-04" },
      { shopifyId: "13", birthday: null },
      { shopifyId: "14", birthday: null },
      { shopifyId: "15", birthday: null },
    ]);
  });

  it("asks Shopify only for what a bulk query may hold (no connection inside the refunds list)", async () => {
    const { shop, admin } = await installedShop();
    const api = bulkOperationsApi(shop, { files: { orders: jsonl([bulkOrder({ id: 1 })]) } });
    server.use(...api.handlers);
    await requestBackfill(shop);
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");
    expect(api.queries).toHaveLength(2);
    expect(api.queries[0]).toMatch(/^\{\s*orders/);
    expect(api.queries[0]).toMatch(/refunds \{ id createdAt totalRefundedSet/);
    expect(api.queries[1]).toMatch(/^\{\s*customers/);
  });

  it("reports progress with a rate and an ETA, and finishes at 100%", async () => {
    const { shop, admin } = await installedShop();
    const files = history(300);
    server.use(...bulkOperationsApi(shop, { files }).handlers);
    const seen: { linesDone: number; etaSeconds: number | null; ratePerSecond: number }[] = [];
    await requestBackfill(shop);
    await runBackfill(shop, admin, { ...fast, chunkLines: 50, onProgress: (p) => p.phase === "orders" && seen.push(p) });
    expect(seen.map((p) => p.linesDone)).toEqual([50, 100, 150, 200, 250, 300]);
    expect(seen.every((p) => p.ratePerSecond > 0)).toBe(true);
    expect(seen.at(-1)!.etaSeconds).toBe(0);
    expect(await backfillProgress(shop)).toMatchObject({ status: "done", fraction: 1 });
  });
});

describe("a backfill and webhooks for the same orders", () => {
  it("counts an order the webhook already earned on once: one row, the webhook's points only", async () => {
    const { shop, admin } = await installedShop();
    const paid = orderPayload({ id: 8001, customerId: 42, subtotal: "100.00" });
    await webhook(shop, "ORDERS_PAID", paid);
    expect(await pointsOf(42, shop)).toBe(100);

    server.use(
      ...bulkOperationsApi(shop, {
        files: {
          orders: jsonl([
            bulkOrder({ id: 8001, customerId: 42, subtotal: "100.00" }),
            bulkOrder({ id: 8002, customerId: 42, subtotal: "50.00" }),
          ]),
        },
      }).handlers,
    );
    await requestBackfill(shop);
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");

    expect(await db.order.count({ where: { shop, shopifyId: "8001" } })).toBe(1);
    expect(await db.order.count({ where: { shop } })).toBe(2);
    expect(await pointsOf(42, shop)).toBe(100); // the historical 8002 earns nothing
    expect(await db.ledgerEntry.count({ where: { shop } })).toBe(1);
  });

  it("takes back, once, the share of an earned order's refund that only the export knows of", async () => {
    const { shop, admin } = await installedShop();
    await webhook(shop, "ORDERS_PAID", orderPayload({ id: 8051, customerId: 45, subtotal: "100.00" }));
    const file = jsonl([
      bulkOrder({ id: 8051, customerId: 45, subtotal: "100.00", refunds: [{ id: 98051, subtotal: "40.00" }] }),
      bulkOrder({ id: 8052, customerId: 45, subtotal: "10.00" }),
    ]);
    server.use(...bulkOperationsApi(shop, { files: { orders: file } }).handlers);
    await requestBackfill(shop);
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");
    expect(await pointsOf(45, shop)).toBe(60); // 100 earned by the webhook, 40 back for the refund
    // Importing again changes nothing: the clawback has its own key.
    await db.backfillJob.update({ where: { shop }, data: { status: "pending", phase: "orders", startedAt: new Date(0) } });
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");
    expect(await pointsOf(45, shop)).toBe(60);
    expect(await db.ledgerEntry.count({ where: { shop } })).toBe(2);
  });

  it("lets a webhook after the import earn once on an imported order, and a refund take back its share", async () => {
    const { shop, admin } = await installedShop();
    server.use(
      ...bulkOperationsApi(shop, {
        files: { orders: jsonl([bulkOrder({ id: 8101, customerId: 43, subtotal: "80.00", financialStatus: "PENDING" })]) },
      }).handlers,
    );
    await requestBackfill(shop);
    await runBackfill(shop, admin, fast);

    const paid = orderPayload({ id: 8101, customerId: 43, subtotal: "80.00" });
    await webhook(shop, "ORDERS_PAID", paid);
    await webhook(shop, "ORDERS_PAID", paid); // Shopify retries
    await webhook(shop, "REFUNDS_CREATE", refundPayload(8101, "20.00"));

    expect(await db.order.count({ where: { shop } })).toBe(1);
    expect(await pointsOf(43, shop)).toBe(60); // 80 earned, 20 back
  });

  it("leaves alone an order a webhook updated after the import began (newer than the export)", async () => {
    const { shop, admin } = await installedShop();
    await requestBackfill(shop);
    // orders/paid arrives while Shopify is still exporting a snapshot where the order was pending
    await webhook(shop, "ORDERS_PAID", orderPayload({ id: 8201, customerId: 44, subtotal: "30.00" }));
    server.use(
      ...bulkOperationsApi(shop, {
        files: { orders: jsonl([bulkOrder({ id: 8201, customerId: 44, subtotal: "30.00", financialStatus: "PENDING" })]) },
      }).handlers,
    );
    await runBackfill(shop, admin, fast);
    expect((await db.order.findFirstOrThrow({ where: { shop, shopifyId: "8201" } })).financialStatus).toBe("paid");
    expect(await pointsOf(44, shop)).toBe(30);
  });
});

describe("an interrupted import", () => {
  it("resumes after the last committed chunk and ends exactly as an uninterrupted one", async () => {
    const files = history(1000);

    const whole = await installedShop();
    server.use(...bulkOperationsApi(whole.shop, { files }).handlers);
    await requestBackfill(whole.shop);
    expect((await runBackfill(whole.shop, whole.admin, { ...fast, chunkLines: 100 })).status).toBe("done");

    const cut = await installedShop();
    const api = bulkOperationsApi(cut.shop, { files });
    // The connection drops in the middle of a line, a little past 45% of the file.
    api.serve("orders", { cutAfterBytes: Math.floor(files.orders.length * 0.45) + 17 });
    server.use(...api.handlers);
    await requestBackfill(cut.shop);
    const interrupted = await runBackfill(cut.shop, cut.admin, { ...fast, chunkLines: 100 });
    expect(interrupted).toMatchObject({ status: "importing", phase: "orders", linesDone: 400, attempts: 1 });
    expect(interrupted.lastError).toMatch(/terminated/);
    expect(await db.order.count({ where: { shop: cut.shop } })).toBe(400);

    api.serve("orders", { cutAfterBytes: undefined });
    const resumed = await runBackfill(cut.shop, cut.admin, { ...fast, chunkLines: 100 });
    expect(resumed.status).toBe("done");
    expect(api.downloads).toEqual(["orders", "orders", "customers"]);
    expect(api.operations.size).toBe(2); // the same export, downloaded again: no new bulk operation

    const [a, b] = [await snapshot(whole.shop), await snapshot(cut.shop)];
    expect(b).toEqual(a);
    expect(b.orders).toHaveLength(1000);
    expect(new Set(b.orders.map((o) => o.shopifyId)).size).toBe(1000);
  });

  it("continues a job a restart left behind, from the row alone", async () => {
    const { shop, admin } = await installedShop();
    server.use(...bulkOperationsApi(shop, { pollsWhileRunning: 3, files: history(30) }).handlers);
    await requestBackfill(shop);
    // A first process starts the export and polls once, then dies with its lease still held.
    await advanceBackfill(shop, admin, { pollDelayMs: 0 });
    await db.backfillJob.update({ where: { shop }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    expect(await advanceBackfill(shop, admin, fast)).toBeNull(); // someone holds it
    // Its lease runs out; the next process takes over.
    await db.backfillJob.update({ where: { shop }, data: { lockedUntil: new Date(Date.now() - 1) } });
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");
    expect(await db.order.count({ where: { shop } })).toBe(30);
  });

  it("adopts the export it started before crashing, instead of failing on 'already in progress'", async () => {
    const { shop, admin } = await installedShop();
    const api = bulkOperationsApi(shop, { files: history(12) });
    server.use(...api.handlers);
    await requestBackfill(shop);
    await startBulkExport(admin, "orders"); // created, but the id never reached the database
    expect((await runBackfill(shop, admin, fast)).status).toBe("done");
    expect(api.operations.size).toBe(2); // orders (adopted) + customers
    expect(await db.order.count({ where: { shop } })).toBe(12);
  });

  it("exports again when the download link expired, and imports by id without duplicates", async () => {
    const { shop, admin } = await installedShop();
    const files = history(200);
    const api = bulkOperationsApi(shop, { files });
    api.serve("orders", { cutAfterBytes: Math.floor(files.orders.length / 2) });
    server.use(...api.handlers);
    await requestBackfill(shop);
    expect((await runBackfill(shop, admin, { ...fast, chunkLines: 40 })).linesDone).toBeGreaterThan(0);

    api.serve("orders", { cutAfterBytes: undefined });
    api.expireLinks(); // seven days later
    const expired = await runBackfill(shop, admin, { ...fast, chunkLines: 40 });
    expect(expired).toMatchObject({ status: "done" });
    expect(api.operations.size).toBe(3); // orders, orders again, customers
    const data = await snapshot(shop);
    expect(data.orders).toHaveLength(200);
  });
});

describe("a bad result file", () => {
  it("fails the job with the line and reason, keeping only the chunks committed before it", async () => {
    const { shop, admin } = await installedShop();
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(bulkOrder({ id: 600 + i, customerId: 1 })));
    lines[24] = lines[24].replace(
      /"subtotalPriceSet":\{"shopMoney":\{"amount":"[^"]*"/,
      '"subtotalPriceSet":{"shopMoney":{"amount":"ten dollars"',
    );
    server.use(...bulkOperationsApi(shop, { files: { orders: lines.join("\n") + "\n" } }).handlers);
    await requestBackfill(shop);
    const job = await runBackfill(shop, admin, { ...fast, chunkLines: 10 });
    expect(job.status).toBe("failed");
    expect(job.lastError).toBe('orders file, line 25: subtotalPriceSet.shopMoney.amount: not a money amount: "ten dollars"');
    expect(job.linesDone).toBe(20);
    expect(await db.order.count({ where: { shop } })).toBe(20);
    expect((await backfillProgress(shop))?.status).toBe("failed");
  });

  it("names a line that is not JSON at all", async () => {
    const { shop, admin } = await installedShop();
    const body = jsonl([bulkOrder({ id: 700 }), bulkOrder({ id: 701 })]) + '{"id":"gid://shopify/Order/702", "name": \n';
    server.use(...bulkOperationsApi(shop, { files: { orders: body } }).handlers);
    await requestBackfill(shop);
    const job = await runBackfill(shop, admin, fast);
    expect(job.status).toBe("failed");
    expect(job.lastError).toMatch(/^orders file, line 3: not JSON/);
    expect(await db.order.count({ where: { shop } })).toBe(0); // one chunk: nothing committed
  });
});
