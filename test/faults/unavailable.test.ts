// Which database errors count as "unavailable" (a webhook gets 503 and Shopify retries) and which
// are ours to fix (500): real errors from the real client, on SQLite or PostgreSQL.
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { DatabaseUnavailable, databaseUnavailable } from "../../app/db/unavailable.server";
import { useFreshDatabase, usingPostgres } from "../support/database";

vi.hoisted(() => {
  process.env.DATABASE_BUSY_TIMEOUT_MS = "200";
});

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const failure = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the database to refuse");
};

const event = (eventId: string) => ({ shop: "unavailable.myshopify.com", eventId, topic: "ORDERS_PAID", payload: "{}" });

it.skipIf(usingPostgres)(
  "SQLite locked by another connection past the busy timeout is unavailable, through the client and raw SQL",
  async () => {
    const holder = new Database(databaseUrl.replace(/^file:/, ""));
    holder.exec("BEGIN IMMEDIATE");
    try {
      expect(databaseUnavailable(await failure(() => db.webhookEvent.create({ data: event("locked-1") })))).toBe("SQLITE_BUSY");
      expect(databaseUnavailable(await failure(() => db.$executeRawUnsafe(`DELETE FROM "WebhookEvent"`)))).toBe("SQLITE_BUSY");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    await db.webhookEvent.create({ data: event("locked-1") }); // and fine once the lock is gone
  },
);

it("a constraint violation, bad SQL or a plain bug is not an outage", async () => {
  await db.webhookEvent.create({ data: event("twice") });
  const duplicate = await failure(() => db.webhookEvent.create({ data: event("twice") }));
  expect((duplicate as { code?: string }).code).toBe("P2002");
  expect(databaseUnavailable(duplicate)).toBeNull();
  expect(databaseUnavailable(await failure(() => db.$queryRawUnsafe(`SELECT "nope" FROM "WebhookEvent"`)))).toBeNull();
  expect(databaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBeNull();
  expect(databaseUnavailable(null)).toBeNull();
});

it("an outage reported by another process keeps its reason", () => {
  expect(databaseUnavailable(new DatabaseUnavailable("the inbox writer process is gone"))).toBe(
    "the inbox writer process is gone",
  );
  expect(databaseUnavailable(new Error("wrapped", { cause: new DatabaseUnavailable("SQLITE_BUSY") }))).toBe("SQLITE_BUSY");
});
