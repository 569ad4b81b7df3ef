// A recorded delivery is committed on its own: `record()` resolves (and the sender gets its 200)
// only once the row is committed, and no other transaction open at the time — the processor's,
// which may roll back — can take the row with it. On SQLite the app has one connection, where a
// statement sent during an open transaction would run inside it; the inbox waits for the
// transaction to end instead. Rows read back through Prisma exactly as Prisma writes them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { claim, record } from "../../app/webhooks/inbox.server";
import { useFreshDatabase, usingPostgres } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const SHOP = "inbox-commit.myshopify.com";
const event = (eventId: string) => ({ shop: SHOP, eventId, topic: "ORDERS_PAID", payload: `{"id":1,"ref":"${eventId}"}` });

describe("the webhook inbox", () => {
  it("keeps a delivery recorded while another transaction is open, when that transaction rolls back", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded: Promise<void> | undefined;
    let resolvedInside = false;
    const rolledBack = db
      .$transaction(async (tx) => {
        await tx.shop.create({ data: { domain: SHOP } }); // a write: the transaction holds the writer
        recorded = record(event("during-rollback"));
        void recorded.then(() => (resolvedInside = true));
        await held;
        throw new Error("the processor's batch failed");
      })
      .catch((error: Error) => error.message);
    // Let the inbox try to write while the transaction is still open: on SQLite it must wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!usingPostgres) expect(resolvedInside).toBe(false);
    release();
    expect(await rolledBack).toBe("the processor's batch failed");
    await recorded;
    expect(await db.shop.count({ where: { domain: SHOP } })).toBe(0); // the transaction's own write is gone
    expect(await db.webhookEvent.count({ where: { shop: SHOP, eventId: "during-rollback" } })).toBe(1);
  });

  it("records a redelivery once, and the row reads back through Prisma as written", async () => {
    const before = Date.now();
    await Promise.all([record(event("twice")), record(event("twice")), record(event("other"))]);
    await record(event("twice"));
    const rows = await db.webhookEvent.findMany({
      where: { shop: SHOP, eventId: { in: ["twice", "other"] } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.eventId)).toEqual(["twice", "other"]);
    const [row] = rows;
    expect(row).toMatchObject({ topic: "ORDERS_PAID", payload: `{"id":1,"ref":"twice"}`, attempts: 0, processedAt: null });
    expect(row.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.nextAttemptAt.getTime()).toBe(row.receivedAt.getTime());
    // Due at once: the processor's claim compares the stored times with its own.
    const claimed = await claim(100);
    expect(claimed.map((e) => e.eventId)).toEqual(expect.arrayContaining(["during-rollback", "twice", "other"]));
  });
});
