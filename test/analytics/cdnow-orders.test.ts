// The CDNOW sample as a shop's order history: each of the 6,919 purchase records of
// test/fixtures/CDNOW_sample.txt is one order, imported by the history backfill (Shopify's bulk
// export emulated at the network edge), and the dashboard's own fit must give Fader, Hardie & Lee's
// published BG/NBD estimates (2005: r 0.243, α 4.414, a 0.793, b 2.426) within 2% — which it only
// does when orders on one local day are one transaction, time runs from the first purchase's day
// and spend is the mean of the repeat days (fitted per order, r came out 0.217, α 3.267).
import { installedShop, server, startBackfillEnvironment, stopBackfillEnvironment } from "../backfill/support"; // first: msw before the Shopify library
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, dialect } from "../../app/db.server";
import { requestBackfill, runBackfill } from "../../app/backfill/jobs.server";
import { summarize } from "../../app/analytics/clv/transactions";
import { dashboardData, type KpiReport } from "../../app/analytics/report.server";
import { startOfDay } from "../../app/analytics/time";
import { customerTransactions, daysOf } from "../../app/analytics/transactions.server";
import { bulkCustomer, bulkOperationsApi, bulkOrder, jsonl } from "../shopify/bulk-handlers";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures"); // provenance: test/fixtures/README.md
const ZONE = "America/Los_Angeles";
const CUSTOMER_ID = 7_000_000_000;

interface Purchase {
  customer: number;
  day: string;
  dollars: string;
}

/** `master-id sample-id YYYYMMDD cds dollars`, fixed width, CRLF. */
function readPurchases(): Purchase[] {
  return readFileSync(path.join(fixtures, "CDNOW_sample.txt"), "utf8")
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line) => {
      const [, sample, date, , dollars] = line.trim().split(/\s+/);
      return { customer: Number(sample), day: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, dollars };
    });
}

function readSummary() {
  const [, ...lines] = readFileSync(path.join(fixtures, "cdnow_customers_summary.csv"), "utf8").trim().split(/\r?\n/);
  return new Map(
    lines.map((line) => {
      const [id, x, t_x, T, zbar] = line.split(",").map(Number);
      return [id, { x, t_x, T, zbar }];
    }),
  );
}

const withinRelative = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);

let shop: string;
let report: KpiReport;
const purchases = readPurchases();
const calibrationEnd = () => startOfDay("1997-10-01", ZONE); // the calibration period is 1997-01-01 … 1997-09-30

beforeAll(async () => {
  await startBackfillEnvironment();
  const installed = await installedShop();
  shop = installed.shop;
  await db.shop.update({ where: { domain: shop }, data: { timezone: ZONE } });
  // Alternate evening and morning within each customer's records: two records of one day become
  // orders on two different UTC days (21:30 Pacific is 04:30 or 05:30 UTC the next day), and an
  // evening and the next morning fall on one UTC day. Only the shop's calendar day may count.
  const seen = new Map<number, number>();
  const orders = purchases.map((p, i) => {
    const n = seen.get(p.customer) ?? 0;
    seen.set(p.customer, n + 1);
    const minutes = n % 2 === 0 ? 21 * 60 + 30 : 9 * 60 + 15;
    const at = new Date(startOfDay(p.day, ZONE).getTime() + minutes * 60_000);
    return bulkOrder({
      id: 1_000_000 + i,
      customerId: CUSTOMER_ID + p.customer,
      subtotal: p.dollars,
      processedAt: at.toISOString(),
    });
  });
  const customers = [...seen.keys()].map((id) => bulkCustomer(CUSTOMER_ID + id));
  server.use(...bulkOperationsApi(shop, { files: { orders: jsonl(orders), customers: jsonl(customers) } }).handlers);
  await requestBackfill(shop);
  const job = await runBackfill(shop, installed.admin, { pollDelayMs: 0, backoffMs: 0 });
  expect(job).toMatchObject({ status: "done", lastError: null });
  const data = await dashboardData(shop, { from: "1997-07-01", to: "1997-10-01" }, { now: new Date("2026-01-01T00:00:00Z") });
  report = data.kpis;
}, 120_000);

afterAll(stopBackfillEnvironment);

describe("CDNOW delivered as one order per purchase record", () => {
  it("arrives as 6,919 orders of 2,357 customers, same-day records kept as separate orders", async () => {
    expect(await db.order.count({ where: { shop } })).toBe(6919);
    expect(await db.customer.count({ where: { shop } })).toBe(2357);
  });

  it("builds each customer's x, t_x, T and repeat-spend mean exactly as the published summary", async () => {
    const summary = readSummary();
    const transactions = await customerTransactions(db, dialect(), shop, ZONE, calibrationEnd());
    const shopifyIds = new Map(
      (await db.customer.findMany({ where: { shop }, select: { id: true, shopifyId: true } })).map((c) => [
        c.id,
        Number(c.shopifyId),
      ]),
    );
    expect(transactions.ids.length).toBe(2357);
    const mismatches: string[] = [];
    transactions.ids.forEach((id, i) => {
      const sampleId = shopifyIds.get(id)! - CUSTOMER_ID;
      const built = summarize(daysOf(transactions, i), transactions.lastObservedDay, 100);
      const published = summary.get(sampleId)!;
      // The summary rounds to 2 decimals; its zbar is rounded from a float (22.345 → 22.35 or 22.34).
      const same =
        built.x === published.x &&
        Math.abs(built.t_x - published.t_x) <= 0.005 &&
        Math.abs(built.T - published.T) <= 0.005 &&
        Math.abs(built.zbar - published.zbar) <= 0.0051;
      if (!same) mismatches.push(`${sampleId}: ${JSON.stringify(built)} vs ${JSON.stringify(published)}`);
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it("fits the published BG/NBD estimates within 2% on the dashboard's own model", () => {
    const { predictedClv } = report;
    expect(predictedClv).toMatchObject({ model: "bgnbd-gamma-gamma", customers: 2357, repeatCustomers: 946 });
    const params = predictedClv.params!;
    withinRelative(params.r, 0.243, 0.02);
    withinRelative(params.alpha, 4.414, 0.02);
    withinRelative(params.a, 0.793, 0.02);
    withinRelative(params.b, 2.426, 0.02);
  });

  it("fits the published Gamma-Gamma estimates within 2% (Fader & Hardie: p 6.25, q 3.74, v 15.44)", () => {
    const params = report.predictedClv.params!;
    withinRelative(params.p, 6.25, 0.02);
    withinRelative(params.q, 3.74, 0.02);
    withinRelative(params.v, 15.44, 0.02);
  });
});
