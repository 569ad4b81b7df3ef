// The database becomes unavailable while webhooks keep coming: each delivery is answered 503 with
// Retry-After (Shopify retries it later), nothing is half-written, the server stays up, and once the
// database is back the redeliveries are taken and earn exactly once.
// - SQLite: another connection holds the write lock past the app's busy timeout (what a backup
//   tool, a migration or a stuck script does), so the inbox write fails with SQLITE_BUSY.
// - PostgreSQL (when TEST_POSTGRES_URL is set): a PostgreSQL server of this test's own is stopped
//   and started again (the shared test server keeps serving the other test files).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { applyMigrations } from "../../app/db/migrations.server";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { entriesOf, inboxDrained, pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, refundPayload } from "../support/shopify";

type Outage = { begin: () => Promise<void>; end: () => Promise<void> };

let databaseUrl: string;
let outage: Outage;
let cleanup = async () => {};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL server for this file alone, through the same script CI uses. */
async function ownPostgres(): Promise<{ url: string; outage: Outage; cleanup: () => Promise<void> }> {
  // Not created here: the script creates it for the postgres user (a root-only parent would lock it out).
  const dir = path.join(tmpdir(), `regulars-fault-pg-${randomUUID().slice(0, 8)}`);
  const port = await freePort();
  const script = (...args: string[]) => {
    const run = spawnSync("bash", [".ci/postgres.sh", dir, String(port), ...args], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`postgres.sh ${args.join(" ")}: ${run.stderr}`);
    return run.stdout.trim();
  };
  const admin = script();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query("CREATE DATABASE regulars_fault");
  await client.end();
  const url = admin.replace(/\/postgres$/, "/regulars_fault");
  return {
    url,
    outage: { begin: async () => void script("stop"), end: async () => void script() },
    cleanup: async () => {
      try {
        script("stop");
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  if (usingPostgres) {
    const own = await ownPostgres();
    databaseUrl = own.url;
    outage = own.outage;
    cleanup = own.cleanup;
    await applyMigrations(databaseUrl, path.resolve("prisma/migrations/postgres"));
    process.env.DATABASE_URL = databaseUrl;
  } else {
    databaseUrl = await useFreshDatabase();
    let holder: Database.Database | null = null;
    outage = {
      begin: async () => {
        holder = new Database(databaseUrl.replace(/^file:/, ""));
        holder.exec("BEGIN IMMEDIATE"); // the write lock, held until `end`
      },
      end: async () => {
        holder?.exec("ROLLBACK");
        holder?.close();
      },
    };
  }
});
afterAll(async () => {
  await db.$disconnect();
  await cleanup();
});

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const readyz = async (app: RunningApp) => {
  const response = await fetch(`${app.url}/readyz`);
  return { status: response.status, body: await response.json() };
};

it(`answers 503 with Retry-After while the database is unavailable (${usingPostgres ? "PostgreSQL stopped" : "SQLite write lock held"}), writes nothing, and takes the redeliveries once it is back`, async () => {
  const app = await startApp(databaseUrl, { DATABASE_BUSY_TIMEOUT_MS: "300", WEBHOOK_LEASE_SECONDS: "1" });
  try {
    const regular = newId();
    const newcomer = newId();
    const first = orderPayload({ customerId: regular, subtotal: "50.00" });
    expect((await deliverWebhook(app.url, "orders/paid", first)).status).toBe(200);
    await inboxDrained();
    expect(await pointsOf(regular)).toBe(50);
    expect((await readyz(app)).status).toBe(200);

    await outage.begin();
    const during = [
      { topic: "orders/paid", eventId: `paid-${newId()}`, payload: orderPayload({ customerId: newcomer, subtotal: "80.00" }) },
      { topic: "refunds/create", eventId: `refund-${newId()}`, payload: refundPayload(first.id, "25.00") },
      { topic: "orders/paid", eventId: `paid-${newId()}`, payload: orderPayload({ customerId: regular, subtotal: "20.00" }) },
    ];
    const answers = await Promise.all(
      during.map(async (d) => {
        const answer = await deliverWebhook(app.url, d.topic, d.payload, { eventId: d.eventId });
        return { status: answer.status, retryAfter: answer.headers.get("retry-after"), body: JSON.parse(answer.body) };
      }),
    );
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 503,
        retryAfter: "10",
        body: { error: "the database is unavailable; deliver again later" },
      });
    }
    // The process is alive (liveness never asks the database); on PostgreSQL readiness says why not.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    if (usingPostgres) {
      const notReady = await eventually(
        () => readyz(app),
        (r) => r.status === 503,
      );
      expect(notReady.body).toMatchObject({ ready: false, database: "postgres" });
      expect(notReady.body.reason).toMatch(/^the database is unavailable \(/);
    }
    // One log line per refused delivery, naming the event and the database's answer.
    const unavailableLines = app
      .logs()
      .split("\n")
      .filter((l) => l.includes('"event":"webhook.unavailable"'))
      .map((l) => JSON.parse(l));
    expect(unavailableLines.map((l) => l.eventId).sort()).toEqual(during.map((d) => d.eventId).sort());
    for (const line of unavailableLines) {
      expect(line).toMatchObject({ level: "warn", status: 503, shop: "regulars-test.myshopify.com" });
      expect(line.databaseUnavailable).toMatch(
        usingPostgres ? /P1001|SQLSTATE 57P0|ECONN|DatabaseNotReachable|ConnectionClosed/ : /^SQLITE_BUSY$/,
      );
    }
    await outage.end();

    // Nothing of the refused deliveries was written.
    const eventIds = during.map((d) => d.eventId);
    expect(await db.webhookEvent.count({ where: { eventId: { in: eventIds } } })).toBe(0);
    expect(await db.order.count()).toBe(1);
    expect(await pointsOf(newcomer)).toBe(0);
    expect((await entriesOf(regular)).map((e) => e.kind)).toEqual(["earn"]);
    if (usingPostgres)
      await eventually(
        () => readyz(app),
        (r) => r.status === 200,
      );

    // Shopify's retries, twice over: taken, and counted once.
    for (let round = 0; round < 2; round++) {
      for (const d of during)
        expect((await deliverWebhook(app.url, d.topic, d.payload, { eventId: d.eventId })).status).toBe(200);
    }
    await inboxDrained(30_000);
    expect(await pointsOf(newcomer)).toBe(80);
    expect(await pointsOf(regular)).toBe(50 - 25 + 20);
    expect((await entriesOf(regular)).map((e) => e.kind).sort()).toEqual(["earn", "earn", "refund"]);
    expect(await db.webhookEvent.count({ where: { lastError: { not: null } } })).toBe(0);
    // An outage is not a bug: no delivery was answered 500.
    expect(app.logs()).not.toMatch(/"event":"webhook\.(failed|unhandled)"/);
    expect(app.process.exitCode).toBeNull();
  } finally {
    await app.stop();
  }
}, 120_000);
