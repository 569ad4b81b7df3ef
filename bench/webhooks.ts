// Sustained signed orders/paid deliveries against the built server on the embedded SQLite DB,
// compared with a bare Node HTTP server that only verifies the HMAC and answers 200 (same run,
// same load generator). Then checks the ledger: exactly one award per order.
//   npm run bench:webhooks -- [--seconds 15] [--concurrency 32] [--json FILE (the figures, for npm run bench)]
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { applyMigrations } from "../app/db/migrations.server";
import { orderBody } from "./support/order-body";
import { writeFigures } from "./support/figures";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "32" },
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

type Result = { sent: number; ok: number; failed: number; seconds: number; latenciesMs: number[] };

async function drive(port: number, bodies: { body: string }[], seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const started = performance.now();
  const one = (body: string) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        {
          agent,
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/webhooks/orders/paid",
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
      request.on("error", () => resolve(0));
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end && next < bodies.length) {
        const { body } = bodies[next++];
        const t = performance.now();
        const status = await one(body);
        latencies.push(performance.now() - t);
        if (status === 200) ok++;
        else failed++;
      }
    }),
  );
  agent.destroy();
  return {
    sent: ok + failed,
    ok,
    failed,
    seconds: (performance.now() - started) / 1000,
    latenciesMs: latencies.sort((a, b) => a - b),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function waitForPort(port: number, child: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error("server exited");
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("server did not start");
}

const BARE_SERVER = `
const http = require("node:http"); const { createHmac, timingSafeEqual } = require("node:crypto");
http.createServer((req, res) => {
  const chunks = []; req.on("data", (c) => chunks.push(c)); req.on("end", () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac("sha256", ${JSON.stringify(SECRET)}).update(body).digest();
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] || ""), "base64");
    res.statusCode = given.length === expected.length && timingSafeEqual(given, expected) ? 200 : 401; res.end();
  });
}).listen(Number(process.env.PORT), "127.0.0.1");`;

function report(name: string, r: Result) {
  const rate = r.ok / r.seconds;
  console.log(
    `${name.padEnd(22)} ${r.ok} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s → ${rate.toFixed(0)} deliveries/s, ` +
      `p50 ${percentile(r.latenciesMs, 0.5).toFixed(1)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms`,
  );
  return rate;
}

async function main() {
  const total = Math.ceil(SECONDS * 6000); // more bodies than even the bare server can take
  console.log(`Preparing ${total} distinct signed orders (concurrency ${CONCURRENCY}, ${SECONDS} s per server)…`);
  const orders = Array.from({ length: total }, (_, n) => orderBody(n));
  console.log(`payload size ≈ ${orders[0].body.length} bytes`);

  // Baseline: bare HMAC-checking server.
  const barePort = 40000 + Math.floor(Math.random() * 10000);
  const bare = spawn(process.execPath, ["-e", BARE_SERVER], {
    env: { ...process.env, PORT: String(barePort) },
    stdio: "inherit",
  });
  await new Promise((r) => setTimeout(r, 300));
  await drive(barePort, orders.slice(0, 2000), 1); // warm-up
  const bareResult = await drive(barePort, orders, SECONDS);
  bare.kill();

  // Regulars, built, on a fresh embedded SQLite database.
  const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-"));
  const databaseUrl = `file:${path.join(dir, "regulars.db")}`;
  await applyMigrations(databaseUrl, path.resolve("prisma/migrations/sqlite"));
  const port = barePort + 1;
  const app = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : []), "server.mjs"],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        SHOPIFY_API_KEY: "bench",
        SHOPIFY_API_SECRET: SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  await waitForPort(port, app);
  const appResult = await drive(port, orders, SECONDS);

  console.log("");
  const bareRate = report("bare HMAC server", bareResult);
  const appRate = report("Regulars (SQLite)", appResult);
  console.log(`ratio Regulars / bare: ${(appRate / bareRate).toFixed(2)}`);

  // Every acknowledged delivery must become exactly one award, once the processor catches up.
  const db = new Database(path.join(dir, "regulars.db"), { readonly: true });
  const drainStart = performance.now();
  for (;;) {
    const { pending } = db.prepare(`SELECT COUNT(*) AS pending FROM "WebhookEvent" WHERE "processedAt" IS NULL`).get() as {
      pending: number;
    };
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const accepted = appResult.ok;
  const awards = db
    .prepare(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT "orderId") AS orders, SUM(delta) AS points FROM "LedgerEntry" WHERE kind = 'earn'`,
    )
    .get() as { n: number; orders: number; points: number };
  const expectedPoints = orders.slice(0, accepted).reduce((sum, o) => sum + Math.floor(o.subtotalCents / 100), 0);
  const balances = db.prepare(`SELECT SUM("pointsBalance") AS cached FROM "Customer"`).get() as { cached: number };
  db.close();
  app.kill("SIGTERM");

  console.log(`inbox drained ${drainSeconds.toFixed(1)} s after the load stopped`);
  console.log(
    `ledger: ${awards.n} awards for ${awards.orders} orders (${accepted} deliveries acknowledged); points ${awards.points}, expected ${expectedPoints}; cached balances ${balances.cached}`,
  );
  const sound =
    awards.n === accepted && awards.orders === accepted && awards.points === expectedPoints && balances.cached === expectedPoints;
  console.log(sound ? "ledger check: OK — exactly one award per order" : "ledger check: FAILED");
  console.log(
    `targets: ≥ 1500 deliveries/s ${appRate >= 1500 ? "met" : "NOT met"}, p99 < 100 ms ${percentile(appResult.latenciesMs, 0.99) < 100 ? "met" : "NOT met"}`,
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
    },
    app: {
      deliveriesPerSecond: appRate,
      ok: appResult.ok,
      failed: appResult.failed,
      p50Ms: percentile(appResult.latenciesMs, 0.5),
      p99Ms: percentile(appResult.latenciesMs, 0.99),
    },
    ratio: appRate / bareRate,
    drainSeconds,
    ledgerSound: sound,
  });
  process.exit(sound ? 0 : 1);
}

await main();
