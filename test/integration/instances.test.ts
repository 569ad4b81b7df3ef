// Several instances on one PostgreSQL: two separate servers (each a primary and its workers)
// share a database; Shopify's deliveries land on either, in a random order, some on both (a
// redelivery), refunds often before their order's paid event. Every order earns exactly once,
// every refund takes back exactly once, and every balance is its ledger sum. Redemptions sent to
// both instances at once spend a balance once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { clawbackTarget } from "../../app/loyalty/earning";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { pointsOf } from "../support/ledger";
import { createReward, memberWithPoints, redeemRequest, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, refundPayload, SHOP } from "../support/shopify";

const EVENTS = 5000;
const CUSTOMERS = 400;
const CONCURRENCY = 24;

/** A seeded random source, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Delivery = { topic: string; payload: unknown; eventId: string };

describe.skipIf(!usingPostgres)("two instances on one PostgreSQL (needs TEST_POSTGRES_URL; SQLite is one machine)", () => {
  let apps: RunningApp[] = [];

  beforeAll(async () => {
    const url = await useFreshDatabase();
    // One HTTP worker each: two instances on a 2-core box. Each answers Shopify's Admin API with
    // its own emulator (reward codes), as two machines would each reach Shopify.
    const env = (n: number) => ({
      WEB_CONCURRENCY: "1",
      SHOPIFY_EMULATOR: "1",
      REGULARS_ALLOW_DEV_TOOLS: "1",
      REGULARS_REDEEM_LIMIT: "0",
      SHOPIFY_EMULATOR_DIR: mkdtempSync(path.join(tmpdir(), `regulars-instance-${n}-`)),
    });
    apps = await Promise.all([startApp(url, env(0)), startApp(url, env(1))]);
    await storeOfflineSession(SHOP);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db.$disconnect();
  });

  it("earns every order once and keeps every balance equal to its ledger", async () => {
    const rand = random(20261202);
    const customers = Array.from({ length: CUSTOMERS }, () => newId());
    const expected = new Map<string, number>(); // customer → points
    const orderIds: string[] = [];
    const refundIds: string[] = [];
    const events: Delivery[] = [];
    while (events.length < EVENTS) {
      const customerId = customers[Math.floor(rand() * customers.length)];
      const subtotalCents = 500 + Math.floor(rand() * 20_000);
      const order = orderPayload({ customerId, subtotal: (subtotalCents / 100).toFixed(2) });
      events.push({ topic: "orders/paid", payload: order, eventId: `paid-${order.id}` });
      orderIds.push(String(order.id));
      const earned = Math.floor(subtotalCents / 100);
      let points = earned;
      // One order in six gets a partial refund, delivered in its own event.
      if (rand() < 0.17 && events.length < EVENTS) {
        const refundCents = 100 + Math.floor(rand() * (subtotalCents - 100));
        const refund = refundPayload(order.id, (refundCents / 100).toFixed(2));
        events.push({ topic: "refunds/create", payload: refund, eventId: `refund-${refund.id}` });
        const takenBack = clawbackTarget(earned, subtotalCents, refundCents);
        if (takenBack > 0) refundIds.push(String(refund.id)); // a refund worth under a point takes nothing back
        points -= takenBack;
      }
      expected.set(String(customerId), (expected.get(String(customerId)) ?? 0) + points);
    }
    // Each event to an instance picked at random, a fifth of them to the other one as well (a
    // redelivery landing elsewhere) and some a third time: all in one random order.
    const deliveries = events.flatMap((e) => {
      const app = Math.floor(rand() * 2);
      const twice = rand() < 0.2;
      return [{ e, app }, ...(twice ? [{ e, app: 1 - app }] : []), ...(twice && rand() < 0.25 ? [{ e, app }] : [])];
    });
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
    }
    const refundBeforePaid = (() => {
      const firstSeen = new Map<string, number>();
      deliveries.forEach((d, i) => firstSeen.has(d.e.eventId) || firstSeen.set(d.e.eventId, i));
      return events.filter(
        (e) =>
          e.topic === "refunds/create" &&
          firstSeen.get(e.eventId)! < firstSeen.get(`paid-${(e.payload as { order_id: number }).order_id}`)!,
      ).length;
    })();
    expect(refundBeforePaid).toBeGreaterThan(EVENTS / 50);

    const started = Date.now();
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < deliveries.length) {
          const { e, app } = deliveries[next++];
          const { status } = await deliverWebhook(apps[app].url, e.topic, e.payload, { eventId: e.eventId });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const deliveredIn = (Date.now() - started) / 1000;
    expect(Object.fromEntries(statuses)).toEqual({ 200: deliveries.length });
    // Both instances' processors work the one inbox until it is empty.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const pending = await db.webhookEvent.count({ where: { processedAt: null } });
      if (pending === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `${pending} events still pending\n${apps
            .map((a) =>
              a
                .logs()
                .split("\n")
                .filter((l) => /error|warn/.test(l))
                .slice(-20)
                .join("\n"),
            )
            .join("\n---\n")}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${deliveries.length} deliveries of ${EVENTS} events to 2 instances: delivered in ${deliveredIn.toFixed(1)} s, all applied in ${seconds.toFixed(1)} s`,
    );

    // The inbox holds each event once, and both instances did work.
    expect(await db.webhookEvent.count()).toBe(EVENTS);
    expect(await db.webhookEvent.count({ where: { deadAt: { not: null } } })).toBe(0);

    // Every order earned exactly once; every refund clawed back exactly once.
    const earns = await db.ledgerEntry.groupBy({ by: ["idempotencyKey"], where: { shop: SHOP, kind: "earn" }, _count: true });
    expect(earns).toHaveLength(orderIds.length);
    expect(new Set(earns.map((e) => e.idempotencyKey))).toEqual(new Set(orderIds.map((id) => `order:${id}:earn`)));
    expect(await db.ledgerEntry.count({ where: { shop: SHOP, kind: "earn" } })).toBe(orderIds.length);
    const clawbacks = await db.ledgerEntry.findMany({ where: { shop: SHOP, kind: "refund" }, select: { idempotencyKey: true } });
    expect(clawbacks.map((c) => c.idempotencyKey).sort()).toEqual(refundIds.map((id) => `refund:${id}:clawback`).sort());

    // Every balance equals its ledger sum and what the orders and refunds say it should be.
    const rows = await db.customer.findMany({
      where: { shop: SHOP },
      select: { id: true, shopifyId: true, pointsBalance: true },
    });
    const sums = new Map(
      (await db.ledgerEntry.groupBy({ by: ["customerId"], where: { shop: SHOP }, _sum: { delta: true } })).map((g) => [
        g.customerId,
        g._sum.delta ?? 0,
      ]),
    );
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      expect({ customer: row.shopifyId, balance: row.pointsBalance }).toEqual({
        customer: row.shopifyId,
        balance: sums.get(row.id) ?? 0,
      });
      expect({ customer: row.shopifyId, balance: row.pointsBalance }).toEqual({
        customer: row.shopifyId,
        balance: expected.get(row.shopifyId),
      });
    }
    expect(seconds).toBeLessThan(120);

    // The instances waited for each other's order locks but never deadlocked (which PostgreSQL
    // would have resolved by aborting a batch, costing it a retry one event at a time).
    for (const app of apps) expect(app.logs()).not.toMatch(/deadlock|webhook\.batch_failed/);

    // The sweeps went through pg-boss: both instances offered the dead-letter sweep every 2 s,
    // and each slot ran once, not once per instance.
    for (const app of apps) expect(app.logs()).toMatch(/"event":"jobs.started","runner":"pg-boss"/);
    const slots = await db.$queryRawUnsafe<{ slot: Date; jobs: bigint }[]>(
      `SELECT singleton_on AS slot, COUNT(*) AS jobs FROM pgboss.job WHERE name = 'webhooks-bury-crashed' GROUP BY singleton_on`,
    );
    expect(slots.length).toBeGreaterThan(5);
    expect(slots.filter((s) => Number(s.jobs) > 1)).toEqual([]);
    // The daily reconciliation is one pg-boss schedule for the fleet, not one timer per instance.
    const schedules = await db.$queryRawUnsafe<{ name: string; cron: string }[]>(`SELECT name, cron FROM pgboss.schedule`);
    expect(schedules).toEqual([{ name: "reconcile-daily", cron: "20 3 * * *" }]);
  }, 300_000);

  it("spends points once across instances: 40 redemptions at once, split over both, for a reward affordable twice", async () => {
    const customer = newId();
    await memberWithPoints(customer, 1100);
    const reward = await createReward(SHOP, { name: "$5 off", pointsCost: 500 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => redeemRequest(apps[i % 2].url, customer, reward.id)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(2);
    expect(results.filter((r) => r.status === 409)).toHaveLength(38);
    expect(await pointsOf(customer)).toBe(100); // the cached balance equals the ledger sum, too
  }, 60_000);
});
