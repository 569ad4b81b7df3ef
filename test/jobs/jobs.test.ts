// The job runner behind every sweep and scheduled job (app/jobs): on SQLite timers in this
// process; on PostgreSQL (TEST_POSTGRES_URL) pg-boss, where several runners — several instances —
// share the work and each interval slot runs once for all of them, not once per runner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { waitFor } from "../support/ledger";

beforeAll(async () => {
  await useFreshDatabase();
});

const { startJobs } = await import("../../app/jobs/index.server");
type Runner = ReturnType<typeof startJobs>;
const runners: Runner[] = [];
afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  const { db } = await import("../../app/db.server");
  await db.$disconnect();
});

describe(`jobs on ${usingPostgres ? "PostgreSQL (pg-boss)" : "SQLite (in process)"}`, () => {
  it("runs an interval task again and again, and a one-off job once per key", async () => {
    let ticks = 0;
    const shops: string[] = [];
    const runner = startJobs([
      { name: "test-tick", everyMs: 300, runAtStart: true, run: async () => void ticks++ },
      { name: "test-shop", run: async (data) => void shops.push(String(data.shop)) },
    ]);
    runners.push(runner);
    await waitFor(async () => ticks >= 2, { timeoutMs: 20_000 });
    await runner.enqueue("test-shop", { shop: "a.myshopify.com" }, { key: "a.myshopify.com" });
    await runner.enqueue("test-shop", { shop: "b.myshopify.com" }, { key: "b.myshopify.com" });
    await waitFor(async () => shops.length >= 2, { timeoutMs: 20_000 });
    expect(shops.sort()).toEqual(["a.myshopify.com", "b.myshopify.com"]);
  }, 30_000);

  it.skipIf(!usingPostgres)(
    "lets one of several runners take each slot of an interval task (needs TEST_POSTGRES_URL)",
    async () => {
      const runs: number[] = [];
      // Three "instances" offering the same 1-second sweep every second.
      for (let i = 0; i < 3; i++) {
        const runner = startJobs([{ name: "test-sweep", everyMs: 1000, run: async () => void runs.push(i) }]);
        runners.push(runner);
      }
      const started = Date.now();
      await waitFor(async () => runs.length >= 4, { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 2000)); // let any duplicate of the last slots show up
      const seconds = (Date.now() - started) / 1000;
      // Once per one-second slot at most (plus the slot in progress), where three timers would make three.
      expect(runs.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    },
    60_000,
  );
});

describe("cron on one machine", () => {
  it("runs a cron task as often as the cron says", async () => {
    const { cronIntervalMs } = await import("../../app/jobs/tasks");
    expect(cronIntervalMs("20 3 * * *")).toBe(86_400_000);
    expect(cronIntervalMs("15 * * * *")).toBe(3_600_000);
    expect(cronIntervalMs("*/5 * * * *")).toBe(300_000);
    expect(cronIntervalMs("* * * * *")).toBe(60_000);
  });
});
