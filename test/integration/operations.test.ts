// What an operator's tools see of a running server: liveness (/healthz), readiness (/readyz:
// database answers, migrations applied) and one structured log line per webhook delivery and per
// processed event, with ids and timings and nothing personal from the payload.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { execute } from "../../app/db/sql.server";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { inboxDrained, waitFor } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

let app: RunningApp;
beforeAll(async () => {
  app = await startApp(await useFreshDatabase());
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
};

/** Polls until `accept` holds: readiness is cached for a couple of seconds per process. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The JSON log lines of `event` the server has written so far. */
function lines(event: string): Record<string, unknown>[] {
  return app
    .logs()
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l));
}

describe("readiness", () => {
  it("is ready with the database answering and every migration applied; not ready, naming it, while one is missing", async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok");
    const ready = await readyz(app.url);
    expect(ready).toMatchObject({
      status: 200,
      type: "application/json",
      body: { ready: true, database: usingPostgres ? "postgres" : "sqlite" },
    });
    expect(ready.body.migrations).toBeGreaterThanOrEqual(3);

    // As if the newest migration had never been applied (a deploy that skipped `npm run setup`).
    const [{ name }] = await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT "name" FROM "_regulars_migrations" ORDER BY "name" DESC LIMIT 1`,
    );
    await execute(db, `UPDATE "_regulars_migrations" SET "name" = ? WHERE "name" = ?`, [`${name}-hidden`, name]);
    try {
      const notReady = await eventually(
        () => readyz(app.url),
        (r) => r.status === 503,
      );
      expect(notReady.body).toEqual({
        ready: false,
        database: usingPostgres ? "postgres" : "sqlite",
        reason: "1 migration(s) not applied; run `npm run setup`",
        pending: [name],
      });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200); // alive all the same
    } finally {
      await execute(db, `UPDATE "_regulars_migrations" SET "name" = ? WHERE "name" = ?`, [name, `${name}-hidden`]);
    }
    await eventually(
      () => readyz(app.url),
      (r) => r.status === 200,
    );
  });

  it("is not ready when the database cannot be reached at all, and webhooks are answered 503, not 500", async () => {
    // SQLite: a path that cannot be opened as a database file (a directory stands where the file
    // should be); PostgreSQL: a loopback port nobody listens on.
    const unreachable = usingPostgres
      ? "postgresql://postgres@127.0.0.1:9/regulars"
      : `file:${mkdtempSync(path.join(tmpdir(), "regulars-not-a-file-"))}`;
    const lost = await startApp(unreachable);
    try {
      expect((await fetch(`${lost.url}/healthz`)).status).toBe(200);
      const notReady = await readyz(lost.url);
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ ready: false, database: usingPostgres ? "postgres" : "sqlite" });
      expect(notReady.body.reason).toMatch(/^the database is unavailable \((SQLITE_CANTOPEN|DatabaseNotReachable)\)$/);
      const delivery = await deliverWebhook(lost.url, "orders/paid", orderPayload({ customerId: newId() }));
      expect(delivery.status).toBe(503);
      expect(delivery.headers.get("retry-after")).toBe("10");
    } finally {
      await lost.stop();
    }
  });
});

describe("webhook log lines", () => {
  it("are one JSON line per delivery at the door and one per processed event, with shop, topic, event id, status and latency", async () => {
    const order = orderPayload({ customerId: newId(), subtotal: "42.00" });
    const eventId = `log-${newId()}`;
    expect((await deliverWebhook(app.url, "orders/paid", order, { eventId })).status).toBe(200);
    const forged = `forged-${newId()}`;
    expect((await deliverWebhook(app.url, "orders/paid", order, { eventId: forged, secret: "not-the-secret" })).status).toBe(401);
    await inboxDrained();
    const processed = await waitFor(async () => lines("webhook.processed").find((l) => l.eventId === eventId));

    const received = lines("webhook.received").filter((l) => l.eventId === eventId);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      level: "info",
      shop: SHOP,
      topic: "ORDERS_PAID",
      eventId,
      status: 200,
      path: "/webhooks/orders/paid",
    });
    expect(received[0].latencyMs).toEqual(expect.any(Number));
    expect(Number.isNaN(Date.parse(String(received[0].time)))).toBe(false);

    expect(processed).toMatchObject({
      level: "info",
      shop: SHOP,
      topic: "ORDERS_PAID",
      eventId,
      status: "processed",
      attempt: 1,
    });
    expect(processed.latencyMs).toEqual(expect.any(Number));
    expect(processed.lagMs).toBeGreaterThanOrEqual(0);
    expect(lines("webhook.processed").filter((l) => l.eventId === eventId)).toHaveLength(1);

    const refused = lines("webhook.rejected").filter((l) => l.eventId === forged);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: "warn", shop: SHOP, status: 401, reason: "invalid HMAC signature" });
    expect(refused[0].latencyMs).toEqual(expect.any(Number));

    // Nothing personal from the payload: the shopper's email and name appear nowhere in the log.
    expect(app.logs()).not.toContain("shopper@example.com");
    expect(app.logs()).not.toMatch(/Shopper/);
  });
});
