// Sustained signed orders/paid deliveries against the built server on the embedded SQLite DB,
// compared with a bare Node HTTP server that only verifies the HMAC and answers 200 (same run,
// same load generator). Then checks the ledger: exactly one award per order.
//   npm run bench:webhooks -- [--seconds 15] [--concurrency 32] [--deliveries N] [--json FILE (the figures, for npm run bench)]
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { applyMigrations } from "../app/db/migrations.server";
import { orderBody } from "./support/order-body";
import { writeFigures } from "./support/figures";
import { cpuSeconds, startAppServer, startBareServer, type Server } from "./webhooks-processes";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "32" },
    // A fixed number of deliveries (for comparing CPU per delivery between builds), within --seconds.
    deliveries: { type: "string" },
    json: { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const SECRET = "bench-secret";
const SHOP = "bench.myshopify.com";

function sign(body: string) {
  return createHmac("sha256", SECRET).update(body, "utf8").digest("base64");
}

type Result = {
  ok: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  /** Indexes (into the bodies given) of the deliveries answered 200: each must become one award. */
  acknowledged: number[];
  /** CPU seconds the server's processes used during the run (undefined without /proc). */
  cpu?: { total: number; byPid: Map<number, number> };
};

/** A delivery not answered within this counts as failed (a stuck server ends the run, not hangs it). */
const REQUEST_TIMEOUT_MS = 30_000;

async function drive(server: Server, bodies: { body: string }[], seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  const acknowledged: number[] = [];
  let next = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const one = (body: string) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        {
          agent,
          host: "127.0.0.1",
          port: server.port,
          method: "POST",
          path: "/webhooks/orders/paid",
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(body),
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": sign(body),
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Webhook-Id": randomUUID(),
            "X-Shopify-Event-Id": randomUUID(),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("timeout", () => request.destroy(new Error("timed out")));
      request.on("error", () => resolve(0));
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end && next < bodies.length) {
        const index = next++;
        const t = performance.now();
        const status = await one(bodies[index].body);
        latencies.push(performance.now() - t);
        if (status === 200) acknowledged.push(index);
        else failed++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuSeconds(server.pid);
  agent.destroy();
  return {
    ok: acknowledged.length,
    failed,
    seconds: elapsed,
    latenciesMs: latencies.sort((a, b) => a - b),
    acknowledged,
    cpu: cpuBefore && cpuAfter ? cpuUsed(cpuBefore, cpuAfter) : undefined,
  };
}

/** CPU used between two readings, per process that was there at both. */
function cpuUsed(before: NonNullable<Result["cpu"]>, after: NonNullable<Result["cpu"]>): NonNullable<Result["cpu"]> {
  const byPid = new Map<number, number>();
  for (const [pid, seconds] of after.byPid) {
    const was = before.byPid.get(pid);
    if (was !== undefined) byPid.set(pid, seconds - was);
  }
  return { total: [...byPid.values()].reduce((a, b) => a + b, 0), byPid };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;

/** CPU milliseconds per acknowledged delivery, all of a server's processes together. */
const cpuPerDelivery = (r: Result) => (r.cpu && r.ok ? (r.cpu.total * 1000) / r.ok : undefined);

function report(name: string, r: Result, targets?: { rate: string; p99: string }) {
  const rate = r.ok / r.seconds;
  const cpu = cpuPerDelivery(r);
  const beside = (text: string, target?: string) => (target ? `${text} (target ${target})` : text);
  console.log(
    `${name.padEnd(20)} ${beside(`${rate.toFixed(0)} deliveries/s`, targets?.rate)}, ` +
      `p50 ${percentile(r.latenciesMs, 0.5).toFixed(1)} ms, ${beside(`p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms`, targets?.p99)}; ` +
      `${r.ok} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s` +
      (cpu === undefined ? "" : `; CPU ${cpu.toFixed(3)} ms per delivery`),
  );
  return rate;
}

async function main() {
  // More bodies than even the bare server can take, unless a fixed number is asked for.
  const total = args.deliveries ? Number(args.deliveries) : Math.ceil(SECONDS * 6000);
  const warmUpCount = 2000;
  console.log(`Preparing ${total} distinct signed orders (concurrency ${CONCURRENCY}, ${SECONDS} s per server)…`);
  const orders = Array.from({ length: total }, (_, n) => orderBody(n));
  // Other order numbers: the warm-up's awards are counted apart from the measured run's.
  const warmUpOrders = Array.from({ length: warmUpCount }, (_, n) => orderBody(total + n));
  console.log(`payload size ≈ ${orders[0].body.length} bytes`);

  // Baseline: the bare HMAC-checking server, warmed up the same way as the app.
  const bare = await startBareServer(SECRET);
  await drive(bare, warmUpOrders, 1);
  const bareResult = await drive(bare, orders, SECONDS);
  bare.stop();

  // Regulars, built, on a fresh embedded SQLite database.
  const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-"));
  const databaseUrl = `file:${path.join(dir, "regulars.db")}`;
  await applyMigrations(databaseUrl, path.resolve("prisma/migrations/sqlite"));
  const app = await startAppServer(
    {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: "bench",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "http://127.0.0.1",
      LOG_LEVEL: "warn",
    },
    process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : [],
  );
  const warmUp = await drive(app, warmUpOrders, 1);
  const cpuAtStart = cpuSeconds(app.pid);
  const appResult = await drive(app, orders, SECONDS);

  console.log("");
  const bareRate = report("bare HMAC server", bareResult);
  const appRate = report("Regulars (SQLite)", appResult, { rate: "≥ 1,500", p99: "< 100 ms" });
  const ratio = appRate / bareRate;
  const appCpu = cpuPerDelivery(appResult);
  const bareCpu = cpuPerDelivery(bareResult);
  console.log(`ratio Regulars / bare: ${ratio.toFixed(3)} (target ≥ 0.16)`);
  if (appResult.cpu && appCpu !== undefined && bareCpu !== undefined) {
    const perProcess = [...appResult.cpu.byPid].map(
      ([pid, s]) => `${pid === app.pid ? "primary" : `worker ${pid}`} ${s.toFixed(1)} s`,
    );
    console.log(
      `CPU per delivery: Regulars ${appCpu.toFixed(3)} ms ÷ bare ${bareCpu.toFixed(3)} ms = ${(appCpu / bareCpu).toFixed(1)}× (${perProcess.join(", ")})`,
    );
  }

  // Every acknowledged delivery must become exactly one award, once the processor catches up.
  const db = new Database(path.join(dir, "regulars.db"), { readonly: true });
  const drainStart = performance.now();
  const drainDeadline = Date.now() + 300_000;
  let drained = false;
  while (Date.now() < drainDeadline) {
    const { pending } = db.prepare(`SELECT COUNT(*) AS pending FROM "WebhookEvent" WHERE "processedAt" IS NULL`).get() as {
      pending: number;
    };
    if (pending === 0) {
      drained = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;
  // The whole cost of a delivery: taking it, and processing it into the ledger.
  const cpuAtEnd = cpuSeconds(app.pid);
  const cpuEndToEnd =
    cpuAtStart && cpuAtEnd && appResult.ok ? (cpuUsed(cpuAtStart, cpuAtEnd).total * 1000) / appResult.ok : undefined;
  const accepted = appResult.ok + warmUp.ok;
  const awards = db
    .prepare(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT "orderId") AS orders, SUM(delta) AS points FROM "LedgerEntry" WHERE kind = 'earn'`,
    )
    .get() as { n: number; orders: number; points: number };
  const pointsOf = (list: { subtotalCents: number }[], indexes: number[]) =>
    indexes.reduce((sum, i) => sum + Math.floor(list[i].subtotalCents / 100), 0);
  const expectedPoints = pointsOf(orders, appResult.acknowledged) + pointsOf(warmUpOrders, warmUp.acknowledged);
  const balances = db.prepare(`SELECT SUM("pointsBalance") AS cached FROM "Customer"`).get() as { cached: number };
  db.close();
  app.stop();
  rmSync(dir, { recursive: true, force: true }); // the database (~100 MB a run)

  console.log(
    drained
      ? `inbox drained ${drainSeconds.toFixed(1)} s after the load stopped`
      : `inbox NOT drained ${drainSeconds.toFixed(0)} s after the load stopped`,
  );
  console.log(
    `ledger: ${awards.n} awards for ${awards.orders} orders (${accepted} deliveries acknowledged, ${warmUp.ok} of them in the warm-up); ` +
      `points ${awards.points}, expected ${expectedPoints}; cached balances ${balances.cached}`,
  );
  const sound =
    drained &&
    awards.n === accepted &&
    awards.orders === accepted &&
    awards.points === expectedPoints &&
    balances.cached === expectedPoints;
  console.log(sound ? "ledger check: OK — exactly one award per order" : "ledger check: FAILED");
  if (cpuEndToEnd !== undefined)
    console.log(`CPU per delivery, taken and processed (until drained): ${cpuEndToEnd.toFixed(3)} ms`);
  const p99 = percentile(appResult.latenciesMs, 0.99);
  console.log(
    `targets: ≥ 1500 deliveries/s ${appRate >= 1500 ? "met" : "NOT met"}, ≥ 0.16 of bare ${ratio >= 0.16 ? "met" : "NOT met"}, ` +
      `p99 < 100 ms ${p99 < 100 ? "met" : "NOT met"}`,
  );
  writeFigures(args.json, {
    bench: "webhooks",
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    bare: {
      deliveriesPerSecond: bareRate,
      ok: bareResult.ok,
      failed: bareResult.failed,
      p99Ms: percentile(bareResult.latenciesMs, 0.99),
      cpuMsPerDelivery: bareCpu,
    },
    app: {
      deliveriesPerSecond: appRate,
      ok: appResult.ok,
      failed: appResult.failed,
      p50Ms: percentile(appResult.latenciesMs, 0.5),
      p99Ms: p99,
      cpuMsPerDelivery: appCpu,
      cpuMsPerDeliveryProcessed: cpuEndToEnd,
      warmUpAcknowledged: warmUp.ok,
    },
    ratio,
    drainSeconds,
    ledgerSound: sound,
  });
  process.exit(sound ? 0 : 1);
}

await main();
