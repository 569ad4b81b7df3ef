// Parse once: the door parses a payload with its topic's schema, and the processor uses that
// parse for the row it was recorded with instead of parsing the stored body again. What it gets
// must be what parsing the stored body gives, and only for that row: a redelivery does not
// replace the first row's, and a row claimed again (a retry) or whose body was erased has none.
// In a cluster the parse crosses the IPC channel, which keeps its Dates (V8 serialisation).
import { serialize, deserialize } from "node:v8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { claim, record } from "../../app/webhooks/inbox.server";
import { drainInbox } from "../../app/webhooks/processor.server";
import { TOPICS } from "../../app/webhooks/payloads";
import { orderBody } from "../../bench/support/order-body";
import { useFreshDatabase, usingPostgres } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const SHOP = "parse-once.myshopify.com";
const parse = (body: string) => TOPICS.ORDERS_PAID.parse(JSON.parse(body));

describe.skipIf(usingPostgres)("a payload parsed at the door", () => {
  it("reaches the processor with the row it was recorded with, equal to parsing the stored body", async () => {
    const { body } = orderBody(1);
    await record({ shop: SHOP, eventId: "first", topic: "ORDERS_PAID", payload: body, parsed: parse(body) });
    // A redelivery of the same event with another parse attached: the first row keeps its own.
    await record({ shop: SHOP, eventId: "first", topic: "ORDERS_PAID", payload: body, parsed: parse(orderBody(2).body) });
    const [event] = await claim(10);
    expect(event.eventId).toBe("first");
    expect(event.parsed).toEqual(parse(event.payload!));
    // Claimed again (its lease ran out, say): parsed from the body, as after a restart.
    await db.webhookEvent.update({ where: { id: event.id }, data: { lockedUntil: new Date(0) } });
    const [again] = await claim(10);
    expect(again.id).toBe(event.id);
    expect(again.parsed).toBeUndefined();
  });

  it("is dropped with a body erased before processing", async () => {
    const { body } = orderBody(3);
    await record({ shop: SHOP, eventId: "erased", topic: "ORDERS_PAID", payload: body, parsed: parse(body) });
    await db.webhookEvent.updateMany({ where: { shop: SHOP, eventId: "erased" }, data: { payload: null } });
    const claimed = await claim(10);
    const erased = claimed.find((e) => e.eventId === "erased")!;
    expect(erased.payload).toBeNull();
    expect(erased.parsed).toBeUndefined();
  });

  it("earns as the stored body does", async () => {
    await db.webhookEvent.deleteMany({ where: { shop: SHOP } });
    const orders = [4, 5, 6].map((n) => orderBody(n));
    await Promise.all(
      orders.map(({ body }, i) =>
        record({ shop: SHOP, eventId: `earn-${i}`, topic: "ORDERS_PAID", payload: body, parsed: parse(body) }),
      ),
    );
    await drainInbox();
    const entries = await db.ledgerEntry.findMany({ where: { shop: SHOP, kind: "earn" }, orderBy: { idempotencyKey: "asc" } });
    expect(entries.map((e) => [e.idempotencyKey, e.delta])).toEqual(
      orders.map(({ body, subtotalCents }) => [`order:${parse(body).shopifyId}:earn`, Math.floor(subtotalCents / 100)]),
    );
    const saved = await db.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" } });
    expect(saved.map((o) => o.processedAt)).toEqual(orders.map(({ body }) => parse(body).processedAt));
  });
});

it("crosses the workers' IPC channel (V8 serialisation) unchanged, Dates as Dates", () => {
  const parsed = parse(orderBody(7).body);
  const crossed = deserialize(serialize(parsed)) as typeof parsed;
  expect(crossed).toEqual(parsed);
  expect(crossed.processedAt).toBeInstanceOf(Date);
});
