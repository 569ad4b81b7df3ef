// The server killed outright (SIGKILL: no shutdown handler runs) in the middle of a burst of signed
// orders/paid and refunds/create deliveries, then started again on the same database. Shopify
// retries whatever it did not see acknowledged; the test does the same. Afterwards every
// acknowledged delivery was durably recorded before the kill, every order earned exactly once,
// every refund took back its share once, and each balance equals its ledger sum.
// (test/integration/crash-recovery.test.ts covers a death between the ledger rows and the commit.)
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, refundPayload } from "../support/shopify";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(() => db.$disconnect());

type Delivery = { topic: "orders/paid" | "refunds/create"; eventId: string; payload: unknown; status: number };

const ORDERS = 240;
const CUSTOMERS = 40;
const CONCURRENCY = 16;

/** Sends deliveries CONCURRENCY at a time; a connection the dead server drops counts as status 0. */
async function burst(url: string, deliveries: Delivery[], onAck: () => void) {
  let next = 0;
  const sender = async () => {
    while (next < deliveries.length) {
      const d = deliveries[next++];
      try {
        d.status = (await deliverWebhook(url, d.topic, d.payload, { eventId: d.eventId })).status;
        if (d.status === 200) onAck();
      } catch {
        d.status = 0; // no answer: Shopify will retry it
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
}

it("loses and doubles nothing when killed with SIGKILL mid-burst and restarted on the same database", async () => {
  // Orders of 10.00 … 99.99 for 40 customers; a third get a partial refund, some of those delivered
  // before their order (Shopify does not promise order).
  const customers = Array.from({ length: CUSTOMERS }, () => newId());
  const orders = Array.from({ length: ORDERS }, (_, i) => {
    const subtotalCents = 1000 + ((i * 7919) % 9000);
    return {
      id: newId(),
      customer: customers[i % CUSTOMERS],
      subtotalCents,
      refundCents: i % 3 === 0 ? Math.floor(subtotalCents / 4) : 0,
    };
  });
  const deliveries: Delivery[] = [];
  for (const [i, o] of orders.entries()) {
    const paid: Delivery = {
      topic: "orders/paid",
      eventId: `paid-${o.id}`,
      status: -1,
      payload: orderPayload({ id: o.id, customerId: o.customer, subtotal: (o.subtotalCents / 100).toFixed(2) }),
    };
    if (!o.refundCents) {
      deliveries.push(paid);
      continue;
    }
    const refund: Delivery = {
      topic: "refunds/create",
      eventId: `refund-${o.id}`,
      status: -1,
      payload: refundPayload(o.id, (o.refundCents / 100).toFixed(2)),
    };
    deliveries.push(...(i % 2 ? [refund, paid] : [paid, refund]));
  }

  const first = await startApp(databaseUrl, { WEBHOOK_LEASE_SECONDS: "1" });
  const killedAt = Math.floor(deliveries.length * 0.4);
  let acks = 0;
  const exited = new Promise<void>((resolve) => first.process.on("exit", () => resolve()));
  await burst(first.url, deliveries, () => {
    if (++acks === killedAt) first.process.kill("SIGKILL");
  });
  await exited;
  expect(first.process.signalCode).toBe("SIGKILL");

  const acknowledged = deliveries.filter((d) => d.status === 200);
  const unanswered = deliveries.filter((d) => d.status !== 200);
  // Mid-burst: some deliveries were acknowledged, many were not (cut off or never sent).
  expect(acknowledged.length).toBeGreaterThanOrEqual(killedAt);
  expect(unanswered.length).toBeGreaterThan(deliveries.length / 3);
  // What was not acknowledged was cut off, never sent, or (a worker outliving its primary for a
  // moment) answered 503: never a 4xx that would tell Shopify to give up on it.
  expect(unanswered.filter((d) => ![0, -1, 503].includes(d.status))).toEqual([]);

  // Durable before the 200: every acknowledged event is in the inbox, read with the server dead.
  const recorded = new Set((await db.webhookEvent.findMany({ select: { eventId: true } })).map((e) => e.eventId));
  expect(acknowledged.filter((d) => !recorded.has(d.eventId)).map((d) => d.eventId)).toEqual([]);

  let second: RunningApp | null = null;
  try {
    second = await startApp(databaseUrl, { WEBHOOK_LEASE_SECONDS: "1" });
    // Shopify retries what it did not see acknowledged, and now and then redelivers what it did.
    await burst(second.url, [...unanswered, ...acknowledged.filter((_, i) => i % 10 === 0)], () => {});
    expect(deliveries.filter((d) => d.status !== 200)).toEqual([]);
    await inboxDrained(60_000);
  } finally {
    await second?.stop();
  }

  expect(await db.webhookEvent.count()).toBe(deliveries.length);
  expect(await db.webhookEvent.count({ where: { OR: [{ lastError: { not: null } }, { deadAt: { not: null } }] } })).toBe(0);
  // Each order earned once, each refund clawed back once; the expected balance worked out here:
  // 1 point per whole unit, a refund takes back floor(earned × refunded / subtotal).
  const earns = await db.ledgerEntry.groupBy({ by: ["idempotencyKey"], where: { kind: "earn" }, _count: true });
  expect(earns).toHaveLength(ORDERS);
  expect(earns.every((e) => e._count === 1)).toBe(true);
  expect(await db.ledgerEntry.count({ where: { kind: "refund" } })).toBe(orders.filter((o) => o.refundCents).length);
  for (const customer of customers) {
    const expected = orders
      .filter((o) => o.customer === customer)
      .reduce((sum, o) => {
        const earned = Math.floor(o.subtotalCents / 100);
        return sum + earned - Math.floor((earned * o.refundCents) / o.subtotalCents);
      }, 0);
    expect(await pointsOf(customer), `customer ${customer}`).toBe(expected); // pointsOf checks cache = ledger sum
  }
}, 180_000);
