// The table `npm run bench` prints (bench/support/table.ts): each figure judged against its
// target at the boundary, a bench that reported nothing shown as a failure rather than left out,
// and a --quick run labelled as not at the target sizes. Pure functions: no server, no database.
import { describe, expect, it } from "vitest";
import { judge, renderTable, type Figures } from "../../bench/support/table";

const webhooks = (deliveriesPerSecond: number, p99Ms: number, ledgerSound = true): Figures["webhooks"] => ({
  seconds: 15,
  concurrency: 32,
  ratio: deliveriesPerSecond / 9000,
  ledgerSound,
  drainSeconds: 0.2,
  bare: { deliveriesPerSecond: 9000 },
  app: { deliveriesPerSecond, ok: deliveriesPerSecond * 15, failed: 0, p50Ms: 10, p99Ms },
});
const backfill = (seconds: number, peakRssMb: number): Figures["backfillSqlite"] => ({
  orders: 1_000_000,
  seconds,
  peakRssMb,
  rssAtStartMb: 110,
  maxRssMb: peakRssMb,
  ok: true,
});
const verdict = (rows: ReturnType<typeof judge>, what: string) => rows.find((r) => r.what === what)?.pass;

describe("the bench table", () => {
  it("passes a figure that meets its target and fails one just past it", () => {
    const meets = judge({ quick: false, webhooks: webhooks(1500, 99.9), backfillSqlite: backfill(59.9, 299.9) });
    expect(verdict(meets, "Webhook ingest (signed orders/paid)")).toBe(true);
    expect(verdict(meets, "Webhook ingest ÷ bare HMAC server")).toBe(true); // 1500 / 9000 = 0.167
    expect(verdict(meets, "Webhook ingest p99 latency")).toBe(true);
    expect(verdict(meets, "Backfill, SQLite, time")).toBe(true);
    expect(verdict(meets, "Backfill, SQLite, peak memory")).toBe(true);

    const misses = judge({ quick: false, webhooks: webhooks(1400, 100), backfillSqlite: backfill(60, 300) });
    expect(verdict(misses, "Webhook ingest (signed orders/paid)")).toBe(false);
    expect(verdict(misses, "Webhook ingest ÷ bare HMAC server")).toBe(false); // 0.156
    expect(verdict(misses, "Webhook ingest p99 latency")).toBe(false);
    expect(verdict(misses, "Backfill, SQLite, time")).toBe(false);
    expect(verdict(misses, "Backfill, SQLite, peak memory")).toBe(false);
  });

  it("fails the award check when the ledger did not hold exactly one award per order", () => {
    expect(verdict(judge({ quick: false, webhooks: webhooks(2000, 50, false) }), "Webhook awards after the burst")).toBe(false);
  });

  it("shows a bench that ran but reported no figures as a failing row", () => {
    const rows = judge({ quick: false, kpisPostgres: undefined, lcp: undefined });
    expect(rows.map((r) => [r.what, r.pass])).toEqual([
      ["KPI dashboard data, PostgreSQL", false],
      ["Admin dashboard LCP", false],
    ]);
  });

  it("labels a quick run as not at the target sizes, and a full run as at them", () => {
    const figures: Figures = { quick: true, widget: { gzipBytes: 5000, bytes: 11000 } };
    expect(renderTable(judge(figures), figures)).toMatch(/^QUICK RUN .*NOT the target sizes/);
    expect(renderTable(judge({ ...figures, quick: false }), { ...figures, quick: false })).toMatch(
      /^Full run at the target sizes/,
    );
  });
});
