// A server that dies after acknowledging a webhook and halfway through processing it loses
// nothing and doubles nothing once it (or another instance) comes back.
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { entriesOf, inboxDrained, pointsOf, waitFor } from "../support/ledger";
import { startApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, refundPayload } from "../support/shopify";
import { exitOf } from "../support/wait";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(() => db.$disconnect());

it("retries a half-processed event after a crash and awards exactly once", async () => {
  const customerId = newId();
  const order = orderPayload({ customerId, subtotal: "75.50" });

  const crashing = await startApp(databaseUrl, { REGULARS_FAULT_CRASH_BEFORE_COMMIT: "1", WEBHOOK_LEASE_SECONDS: "1" });
  const delivery = await deliverWebhook(crashing.url, "orders/paid", order);
  expect(delivery.status).toBe(200); // recorded before the crash
  await exitOf(crashing.process); // (it may be gone already: then at once)
  expect(crashing.process.exitCode).toBe(137);

  const event = await db.webhookEvent.findFirstOrThrow({ where: { topic: "ORDERS_PAID" } });
  expect(event.processedAt).toBeNull();
  expect(event.attempts).toBe(1);
  expect(await pointsOf(customerId)).toBe(0); // the half-done transaction left nothing

  const restarted = await startApp(databaseUrl, { WEBHOOK_LEASE_SECONDS: "1" });
  try {
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(75);
    // Shopify also retries the delivery (no 200 seen in time, say): still once.
    await deliverWebhook(restarted.url, "orders/paid", order, { eventId: event.eventId });
    await deliverWebhook(restarted.url, "orders/paid", order);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(75);
    expect((await entriesOf(customerId)).map((e) => e.kind)).toEqual(["earn"]);
    const done = await db.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(done.attempts).toBe(2);
    expect(done.processedAt).not.toBeNull();
  } finally {
    await restarted.stop();
  }
});

it("keeps an event that fails to process in the inbox with its error and schedules a retry", async () => {
  const app = await startApp(databaseUrl, { WEBHOOK_LEASE_SECONDS: "1" });
  try {
    const order = orderPayload({ customerId: newId() });
    // A refund whose stored payload cannot be processed (written straight into the inbox, as an
    // older app version might have): it must fail loudly, not vanish.
    await db.webhookEvent.create({
      data: {
        shop: "regulars-test.myshopify.com",
        eventId: "broken-1",
        topic: "REFUNDS_CREATE",
        payload: JSON.stringify({ id: 1 }),
      },
    });
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "1.00"), { eventId: "good-1" });
    const broken = await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "broken-1", lastError: { not: null } } }));
    expect(broken.processedAt).toBeNull();
    expect(broken.lastError).toMatch(/order_id/);
    expect(broken.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // The line is written before the row, but reaches this process through the server's stderr
    // pipe, which may still hold it when the row is already visible.
    await waitFor(() => /"event":"webhook.processing_failed"/.test(app.logs()), { what: "the webhook.processing_failed line" });
    // the good event next to it is processed all the same
    await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "good-1", processedAt: { not: null } } }));
    expect(await db.refund.count()).toBe(1);
  } finally {
    await app.stop();
  }
});
