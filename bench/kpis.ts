// Dashboard data for a large shop: generate a history, bulk-load it, time the analytics.
//   npm run bench:kpis -- [--orders 1000000] [--customers 200000] [--postgres postgresql://…/postgres] [--keep] [--json FILE]
// Customers arrive uniformly over three years; while alive each buys at a Poisson rate
// λ ~ Gamma(r, α) and drops out after each purchase with probability p ~ Beta(a, b) (BG/NBD), the
// rate scaled so the history holds the requested number of orders. Seeded: the same data each run.
// 5% guest orders, 0.5% test orders, 1% cancelled, 3% partly refunded; 60% of customers are members
// and earn points on their orders; some redeem. SQLite: better-sqlite3, one prepared statement in
// one transaction. PostgreSQL (--postgres, an admin URL): a fresh database loaded with INSERT … SELECT
// FROM unnest(arrays), 20,000 rows a statement. Then: the per-customer order rows built (as the history
// import does at its end), and dashboard data cold (cache cleared) and warm.
// One file of ~500 lines on purpose: the generator, both loaders and the timing share the seeded
// state and are read top to bottom as one experiment.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { applyMigrations, dialectOf } from "../app/db/migrations.server";
import { writeFigures } from "./support/figures";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000000" },
    customers: { type: "string" },
    postgres: { type: "string" },
    years: { type: "string", default: "3" },
    seed: { type: "string", default: "42" },
    keep: { type: "boolean", default: false },
    warm: { type: "string", default: "20" },
    // Time an existing database (one kept with --keep) instead of generating one.
    reuse: { type: "string" },
    // Print the time of each phase of every cold run.
    profile: { type: "boolean", default: false },
    cold: { type: "string", default: "3" },
    help: { type: "boolean", default: false },
    // Write the figures as JSON (for npm run bench); with --keep they name the kept database.
    json: { type: "string" },
  },
});
const ORDERS = Number(args.orders);
const CUSTOMERS = Number(args.customers ?? Math.round(ORDERS / 5));
const YEARS = Number(args.years);
const SHOP = "bench-kpis.myshopify.com";
const DAY = 86_400_000;
const NOW = Date.now();
const START = NOW - YEARS * 365 * DAY;

// ---- seeded random numbers (mulberry32) and the distributions the process needs ----------------
let state = Number(args.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
/** Gamma(shape, 1) by Marsaglia–Tsang (with the boost for shape < 1). */
function gamma(shape: number): number {
  if (shape < 1) return gamma(shape + 1) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
const beta = (a: number, b: number) => {
  const x = gamma(a);
  return x / (x + gamma(b));
};

// BG/NBD-like: r = 0.9, α = 10 (weeks), a = 0.8, b = 2.5; λ scaled to hit the order target.
const R = 0.9,
  ALPHA = 10,
  A = 0.8,
  B = 2.5;

interface Person {
  birth: number;
  lambda: number;
  p: number;
}
function person(): Person {
  return { birth: START + random() * (NOW - START), lambda: gamma(R) / ALPHA, p: beta(A, B) };
}
/** Purchase times (ms) of one customer: the first at birth, repeats while alive. */
function purchases(who: Person, scale: number, into: number[]) {
  into.length = 0;
  let t = who.birth;
  into.push(t);
  for (;;) {
    const weeks = -Math.log(1 - random()) / (who.lambda * scale);
    t += weeks * 7 * DAY;
    if (t >= NOW) return;
    into.push(t);
    if (random() < who.p) return;
  }
}

function calibrate(): number {
  // Customer orders should be 95% of all orders (the rest are guests).
  const target = (ORDERS * 0.95) / CUSTOMERS;
  let scale = 1;
  const times: number[] = [];
  for (let round = 0; round < 6; round++) {
    const saved = state;
    let total = 0;
    for (let i = 0; i < 5000; i++) {
      purchases(person(), scale, times);
      total += times.length;
    }
    state = saved;
    scale *= Math.max(0.2, Math.min(5, (target - 1) / Math.max(0.01, total / 5000 - 1)));
  }
  return scale;
}

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

interface OrderRow {
  shopifyId: string;
  customerId: number | null;
  processedAt: number;
  subtotalCents: number;
  refundedCents: number;
  test: boolean;
  cancelledAt: number | null;
}

function* generate(): Generator<
  { kind: "customer"; id: number; member: boolean; birth: number } | { kind: "order"; row: OrderRow }
> {
  const scale = calibrate();
  const times: number[] = [];
  let orders = 0;
  let orderId = 1;
  const customerOrderBudget = Math.round(ORDERS * 0.95);
  const order = (customerId: number | null, at: number): OrderRow => {
    const roll = random();
    const subtotalCents = Math.round(1500 + gamma(2) * 2500);
    return {
      shopifyId: String(6_000_000_000 + orderId++),
      customerId,
      processedAt: Math.floor(at),
      subtotalCents,
      refundedCents: roll < 0.03 ? Math.round(subtotalCents * (0.2 + 0.8 * random())) : 0,
      test: roll > 0.995,
      cancelledAt: roll > 0.985 && roll <= 0.995 ? Math.floor(at) + 3600_000 : null,
    };
  };
  for (let c = 1; c <= CUSTOMERS; c++) {
    const who = person();
    yield { kind: "customer", id: c, member: random() < 0.6, birth: who.birth };
    purchases(who, scale, times);
    // Leave room so every customer gets at least their first order.
    const room = customerOrderBudget - orders - (CUSTOMERS - c);
    for (const t of times.slice(0, Math.max(1, room))) {
      yield { kind: "order", row: order(c, t) };
      orders++;
    }
  }
  while (orders < ORDERS) {
    yield { kind: "order", row: order(null, START + random() * (NOW - START)) };
    orders++;
  }
}

// ---- loading -------------------------------------------------------------------------------------
function progress(label: string, done: number, total: number, started: number) {
  const rate = done / ((performance.now() - started) / 1000);
  process.stdout.write(
    `\r  ${label}: ${done.toLocaleString("en")} / ~${total.toLocaleString("en")} (${Math.round(rate).toLocaleString("en")}/s)   `,
  );
}

interface Counts {
  customers: number;
  orders: number;
  ledger: number;
}

async function loadSqlite(url: string): Promise<Counts> {
  const file = url.replace(/^file:/, "");
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  const now = iso(NOW);
  const insertCustomer = sqlite.prepare(
    `INSERT INTO "Customer" ("id", "shop", "shopifyId", "email", "firstName", "lastName", "pointsBalance", "enrolledAt", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
  );
  const insertOrder = sqlite.prepare(
    `INSERT INTO "Order" ("id", "shop", "shopifyId", "name", "customerId", "processedAt", "subtotalCents", "totalCents", "currency",
       "financialStatus", "cancelledAt", "refundedSubtotalCents", "test", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'USD', 'paid', ?, ?, ?, ?, ?)`,
  );
  const insertLedger = sqlite.prepare(
    `INSERT INTO "LedgerEntry" ("shop", "customerId", "delta", "kind", "reason", "orderId", "idempotencyKey", "createdAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const counts: Counts = { customers: 0, orders: 0, ledger: 0 };
  const members = new Set<number>();
  const started = performance.now();
  sqlite.transaction(() => {
    sqlite
      .prepare(
        `INSERT INTO "Shop" ("domain", "name", "currency", "timezone", "installedAt", "updatedAt") VALUES (?, 'Bench', 'USD', 'America/New_York', ?, ?)`,
      )
      .run(SHOP, now, now);
    sqlite.prepare(`INSERT INTO "ProgramSettings" ("shop", "updatedAt") VALUES (?, ?)`).run(SHOP, now);
    for (const item of generate()) {
      if (item.kind === "customer") {
        if (item.member) members.add(item.id);
        insertCustomer.run(
          item.id,
          SHOP,
          String(8_000_000_000 + item.id),
          `c${item.id}@example.com`,
          "Customer",
          String(item.id),
          item.member ? iso(item.birth) : null,
          iso(item.birth),
          iso(item.birth),
        );
        counts.customers++;
        continue;
      }
      const o = item.row;
      counts.orders++;
      insertOrder.run(
        counts.orders,
        SHOP,
        o.shopifyId,
        `#${o.shopifyId}`,
        o.customerId,
        iso(o.processedAt),
        o.subtotalCents,
        o.subtotalCents + 900,
        o.cancelledAt === null ? null : iso(o.cancelledAt),
        o.refundedCents,
        o.test ? 1 : 0,
        iso(o.processedAt),
        iso(o.processedAt),
      );
      if (o.customerId !== null && members.has(o.customerId) && !o.test && o.cancelledAt === null) {
        const points = Math.floor((o.subtotalCents - o.refundedCents) / 100);
        insertLedger.run(
          SHOP,
          o.customerId,
          points,
          "earn",
          `Order #${o.shopifyId}`,
          counts.orders,
          `order:${o.shopifyId}:earn`,
          iso(o.processedAt + 60_000),
        );
        counts.ledger++;
        if (counts.orders % 7 === 0) {
          insertLedger.run(
            SHOP,
            o.customerId,
            -Math.min(points, 500),
            "redeem",
            "$5 off",
            null,
            `redeem:${o.shopifyId}`,
            iso(o.processedAt + 120_000),
          );
          counts.ledger++;
        }
      }
      if (counts.orders % 20_000 === 0) progress("orders", counts.orders, ORDERS, started);
    }
  })();
  sqlite.pragma("optimize");
  sqlite.exec("ANALYZE");
  sqlite.close();
  progress("orders", counts.orders, ORDERS, started);
  process.stdout.write("\n");
  return counts;
}

async function loadPostgres(url: string): Promise<Counts> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const now = new Date(NOW);
  await client.query(
    `INSERT INTO "Shop" ("domain", "name", "currency", "timezone", "installedAt", "updatedAt") VALUES ($1, 'Bench', 'USD', 'America/New_York', $2, $2)`,
    [SHOP, now],
  );
  await client.query(`INSERT INTO "ProgramSettings" ("shop", "updatedAt") VALUES ($1, $2)`, [SHOP, now]);
  const counts: Counts = { customers: 0, orders: 0, ledger: 0 };
  const members = new Set<number>();
  const started = performance.now();
  const BATCH = 20_000;
  let customers: unknown[][] = [[], [], [], []];
  let orders: unknown[][] = [[], [], [], [], [], [], [], []];
  let ledger: unknown[][] = [[], [], [], [], [], []];
  const flushCustomers = async () => {
    if (!customers[0].length) return;
    await client.query(
      `INSERT INTO "Customer" ("id", "shop", "shopifyId", "email", "firstName", "lastName", "pointsBalance", "enrolledAt", "createdAt", "updatedAt")
       SELECT id, $1, sid, 'c' || id || '@example.com', 'Customer', id::text, 0, enrolled, created, created
       FROM unnest($2::int[], $3::text[], $4::timestamp[], $5::timestamp[]) AS t(id, sid, enrolled, created)`,
      [SHOP, ...customers],
    );
    customers = [[], [], [], []];
  };
  const flushOrders = async () => {
    if (!orders[0].length) return;
    await flushCustomers();
    await client.query(
      `INSERT INTO "Order" ("id", "shop", "shopifyId", "name", "customerId", "processedAt", "subtotalCents", "totalCents", "currency",
         "financialStatus", "cancelledAt", "refundedSubtotalCents", "test", "createdAt", "updatedAt")
       SELECT id, $1, sid, '#' || sid, cid, at, sub, sub + 900, 'USD', 'paid', cancelled, refunded, test, at, at
       FROM unnest($2::int[], $3::text[], $4::int[], $5::timestamp[], $6::int[], $7::timestamp[], $8::int[], $9::bool[])
         AS t(id, sid, cid, at, sub, cancelled, refunded, test)`,
      [SHOP, ...orders],
    );
    orders = [[], [], [], [], [], [], [], []];
    if (ledger[0].length) {
      await client.query(
        `INSERT INTO "LedgerEntry" ("shop", "customerId", "delta", "kind", "reason", "orderId", "idempotencyKey", "createdAt")
         SELECT $1, cid, delta, kind, kind, oid, key, at
         FROM unnest($2::int[], $3::int[], $4::text[], $5::int[], $6::text[], $7::timestamp[]) AS t(cid, delta, kind, oid, key, at)`,
        [SHOP, ...ledger],
      );
      ledger = [[], [], [], [], [], []];
    }
  };
  const ts = (ms: number) => new Date(ms).toISOString().replace("Z", "");
  for (const item of generate()) {
    if (item.kind === "customer") {
      if (item.member) members.add(item.id);
      customers[0].push(item.id);
      customers[1].push(String(8_000_000_000 + item.id));
      customers[2].push(item.member ? ts(item.birth) : null);
      customers[3].push(ts(item.birth));
      counts.customers++;
      if (customers[0].length >= BATCH) await flushCustomers();
      continue;
    }
    const o = item.row;
    counts.orders++;
    orders[0].push(counts.orders);
    orders[1].push(o.shopifyId);
    orders[2].push(o.customerId);
    orders[3].push(ts(o.processedAt));
    orders[4].push(o.subtotalCents);
    orders[5].push(o.cancelledAt === null ? null : ts(o.cancelledAt));
    orders[6].push(o.refundedCents);
    orders[7].push(o.test);
    if (o.customerId !== null && members.has(o.customerId) && !o.test && o.cancelledAt === null) {
      const points = Math.floor((o.subtotalCents - o.refundedCents) / 100);
      const add = (delta: number, kind: string, key: string, at: number, orderId: number | null) => {
        ledger[0].push(o.customerId);
        ledger[1].push(delta);
        ledger[2].push(kind);
        ledger[3].push(orderId);
        ledger[4].push(key);
        ledger[5].push(ts(at));
        counts.ledger++;
      };
      add(points, "earn", `order:${o.shopifyId}:earn`, o.processedAt + 60_000, counts.orders);
      if (counts.orders % 7 === 0) add(-Math.min(points, 500), "redeem", `redeem:${o.shopifyId}`, o.processedAt + 120_000, null);
    }
    if (orders[0].length >= BATCH) {
      await flushOrders();
      progress("orders", counts.orders, ORDERS, started);
    }
  }
  await flushOrders();
  await client.query(`SELECT setval(pg_get_serial_sequence('"Order"', 'id'), (SELECT MAX("id") FROM "Order"))`);
  await client.query(`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), (SELECT MAX("id") FROM "Customer"))`);
  await client.query("VACUUM ANALYZE");
  await client.end();
  progress("orders", counts.orders, ORDERS, started);
  process.stdout.write("\n");
  return counts;
}

// ---- timing ------------------------------------------------------------------------------------
async function timeDashboard(label: string, url: string) {
  process.env.DATABASE_URL = url;
  const { dashboardData } = await import("../app/analytics/report.server");
  const { clearAnalyticsCache } = await import("../app/analytics/cache.server");
  const { recordPhases } = await import("../app/analytics/profile");
  const { today, addDays } = await import("../app/analytics/time");
  const { db, dialect } = await import("../app/db.server");
  const { refreshOrderHistory } = await import("../app/analytics/order-history.server");
  // The loaders write orders straight into the database, so every customer is stale now: build
  // the per-customer order rows once, as the history import does at its end, and say how long.
  const building = performance.now();
  const rebuilt = await refreshOrderHistory(db, dialect(), SHOP);
  const orderHistoryBuildMs = performance.now() - building;
  console.log(
    `  ${label}: per-customer order rows of ${rebuilt.toLocaleString("en")} customers built in ${orderHistoryBuildMs.toFixed(0)} ms`,
  );
  const end = addDays(today("America/New_York"), 1);
  const range = { from: addDays(end, -30), to: end };
  const cold: number[] = [];
  let data: Awaited<ReturnType<typeof dashboardData>> | undefined;
  for (let i = 0; i < Number(args.cold); i++) {
    clearAnalyticsCache();
    const phases: [string, number][] = [];
    if (args.profile) recordPhases((label, ms) => phases.push([label, ms]));
    const t = performance.now();
    data = await dashboardData(SHOP, range, { fresh: true });
    cold.push(performance.now() - t);
    recordPhases(null);
    if (args.profile)
      console.log(
        `  cold #${i + 1} ${cold[i].toFixed(0)} ms: ${phases.map(([l, ms]) => `${l.trim()} ${ms.toFixed(0)}`).join(", ")}`,
      );
  }
  const warm: number[] = [];
  for (let i = 0; i < Number(args.warm); i++) {
    const t = performance.now();
    await dashboardData(SHOP, range);
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  const k = data!.kpis;
  const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
  console.log(
    `  ${label}: ${k.orders} orders in the last 30 days, revenue ${k.revenue}, CRR ${percent(k.retentionRate)}, ` +
      `repeat rate ${percent(k.repeatPurchaseRate)}, predicted CLV ${k.predictedClv.average} (${k.predictedClv.model}), ` +
      `at risk ${data!.atRisk.total}`,
  );
  const verdict = (ms: number, target: number) => `${ms.toFixed(0)} ms ${ms < target ? "✓" : "✗"} (target < ${target} ms)`;
  const median = warm[Math.floor(warm.length / 2)];
  console.log(
    `  ${label}: cold ${cold.map((c) => c.toFixed(0)).join(" / ")} ms → best ${verdict(Math.min(...cold), 2000)}; ` +
      `warm median ${verdict(median, 200)}, p95 ${warm[Math.floor(warm.length * 0.95)].toFixed(1)} ms`,
  );
  await db.$disconnect();
  delete globalThis.__regularsDb;
  return {
    orderHistoryBuildMs,
    coldMs: cold,
    bestColdMs: Math.min(...cold),
    warmMedianMs: median,
    warmP95Ms: warm[Math.floor(warm.length * 0.95)],
    ordersLast30Days: k.orders,
  };
}

async function main() {
  if (args.help) {
    console.log(
      "npx tsx bench/kpis.ts [--orders N] [--customers N] [--years 3] [--seed 42] [--postgres ADMIN_URL] [--keep]\n" +
        "  [--reuse DATABASE_URL (time a kept database, no generation)] [--profile (phase breakdown)] [--cold 3] [--warm 20]\n" +
        "  [--json FILE (the figures as JSON; with --keep, the kept database's URL too)]",
    );
    return;
  }
  if (args.reuse) {
    console.log(`bench:kpis — timing ${args.reuse}`);
    const timing = await timeDashboard(dialectOf(args.reuse), args.reuse);
    writeFigures(args.json, { bench: "kpis", dialect: dialectOf(args.reuse), databaseUrl: args.reuse, ...timing });
    return;
  }
  console.log(
    `bench:kpis — ${ORDERS.toLocaleString("en")} orders, ${CUSTOMERS.toLocaleString("en")} customers over ${YEARS} years`,
  );
  let url: string;
  let cleanup: () => Promise<void>;
  if (args.postgres) {
    const name = `regulars_bench_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const admin = new pg.Client({ connectionString: args.postgres });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const parsed = new URL(args.postgres);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    cleanup = async () => {
      if (args.keep) return console.log(`  kept ${url}`);
      const c = new pg.Client({ connectionString: args.postgres });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-kpis-"));
    url = `file:${path.join(dir, "bench.db")}`;
    cleanup = async () => (args.keep ? console.log(`  kept ${url}`) : rmSync(dir, { recursive: true, force: true }));
  }
  const dialect = dialectOf(url);
  await applyMigrations(url, path.resolve("prisma/migrations", dialect));
  const t = performance.now();
  const counts = dialect === "postgres" ? await loadPostgres(url) : await loadSqlite(url);
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `  ${dialect}: generated and loaded ${counts.orders.toLocaleString("en")} orders, ${counts.customers.toLocaleString("en")} customers, ` +
      `${counts.ledger.toLocaleString("en")} ledger rows in ${seconds.toFixed(1)} s`,
  );
  try {
    const timing = await timeDashboard(dialect, url);
    writeFigures(args.json, {
      bench: "kpis",
      dialect,
      orders: counts.orders,
      customers: counts.customers,
      ledgerRows: counts.ledger,
      loadSeconds: seconds,
      ...timing,
      ...(args.keep ? { databaseUrl: url, shop: SHOP } : {}),
    });
  } finally {
    await cleanup();
  }
}

await main();
