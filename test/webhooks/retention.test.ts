// Retention of the webhook inbox: a processed event keeps its body for a few days (troubleshooting,
// replays), then only its id and topic (so a late redelivery is still recognised as a duplicate),
// then nothing. Events not yet processed, or dead, keep everything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { pruneInbox, record } from "../../app/webhooks/inbox.server";
import { useFreshDatabase } from "../support/database";

const DAY = 86_400_000;
const now = new Date("2026-12-01T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

async function event(eventId: string, fields: { processedAt?: Date | null; deadAt?: Date | null }) {
  return db.webhookEvent.create({
    data: {
      shop: "retention.myshopify.com",
      eventId,
      topic: "ORDERS_PAID",
      payload: `{"id":1,"email":"${eventId}@example.com"}`,
      receivedAt: daysAgo(100),
      ...fields,
    },
  });
}

describe("pruneInbox()", () => {
  it("drops bodies processed more than 7 days ago and rows processed more than 90 days ago, nothing else", async () => {
    await event("fresh", { processedAt: daysAgo(6.9) });
    await event("week-old", { processedAt: daysAgo(7.1) });
    await event("season-old", { processedAt: daysAgo(89) });
    await event("gone", { processedAt: daysAgo(91) });
    await event("pending", { processedAt: null });
    await event("dead", { processedAt: null, deadAt: daysAgo(95) });

    expect(await pruneInbox(now)).toEqual({ bodiesDropped: 3, rowsDeleted: 1 });
    const left = Object.fromEntries((await db.webhookEvent.findMany()).map((e) => [e.eventId, e.payload]));
    expect(left).toEqual({
      fresh: '{"id":1,"email":"fresh@example.com"}',
      "week-old": null,
      "season-old": null,
      pending: '{"id":1,"email":"pending@example.com"}',
      dead: '{"id":1,"email":"dead@example.com"}',
    });
    // Run again: nothing more to do.
    expect(await pruneInbox(now)).toEqual({ bodiesDropped: 0, rowsDeleted: 0 });
  });

  it("still recognises a redelivery of an event whose body was dropped", async () => {
    await record({ shop: "retention.myshopify.com", eventId: "week-old", topic: "ORDERS_PAID", payload: '{"id":1}' });
    const rows = await db.webhookEvent.findMany({ where: { eventId: "week-old" } });
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toBeNull();
    expect(rows[0].processedAt).not.toBeNull();
  });
});
