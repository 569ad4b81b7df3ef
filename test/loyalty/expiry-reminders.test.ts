// Expiry reminders against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL): points
// are "expiring" from `expiryReminderDays` before the day they expire; the daily job marks one
// reminder per member and expiry day. Called with an explicit `now`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { expiringPoints, markExpiryReminders } from "../../app/loyalty/expiry-reminders.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { useFreshDatabase } from "../support/database";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const at = (iso: string) => new Date(iso);
let seq = 0;

async function newShop(
  program: { expiryEnabled: boolean; expiryMonths?: number; expiryReminderDays?: number },
  timezone = "UTC",
) {
  const shop = `reminders-${++seq}.myshopify.com`;
  await db.shop.create({ data: { domain: shop, timezone } });
  await db.programSettings.create({ data: { shop, ...program } });
  return shop;
}

/** A member enrolled long ago with `points`, whose last order was at `lastOrder`. */
async function member(shop: string, points: number, lastOrder: Date) {
  const c = await db.customer.create({ data: { shop, shopifyId: String(++seq), enrolledAt: at("2020-01-01T00:00:00Z") } });
  await db.$transaction((tx) =>
    appendEntry(tx, { shop, customerId: c.id, delta: points, kind: "earn", reason: "test", idempotencyKey: `t:${++seq}` }),
  );
  await db.order.create({
    data: {
      shop,
      shopifyId: `o${++seq}`,
      customerId: c.id,
      processedAt: lastOrder,
      subtotalCents: 1000,
      totalCents: 1000,
      currency: "USD",
    },
  });
  return db.customer.findUniqueOrThrow({ where: { id: c.id } });
}

describe("expiring points", () => {
  it("are shown from N days before the expiry day, with the balance and the day", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 12, expiryReminderDays: 14 });
    const program = await loadProgram(db, shop);
    const c = await member(shop, 120, at("2025-01-20T15:00:00Z")); // expires 2026-01-20
    const view = (iso: string) => expiringPoints(db, shop, program, c, "UTC", at(iso));
    expect(await view("2026-01-05T23:59:59Z")).toBeNull(); // 15 days before
    expect(await view("2026-01-06T00:00:00Z")).toEqual({ points: 120, on: "2026-01-20" }); // exactly 14 days before
    expect(await view("2026-01-19T23:59:59Z")).toEqual({ points: 120, on: "2026-01-20" });
  });

  it("are none when expiry is off, the balance is empty, or a new order moved the expiry on", async () => {
    const off = await newShop({ expiryEnabled: false });
    const c1 = await member(off, 50, at("2025-01-20T00:00:00Z"));
    expect(await expiringPoints(db, off, await loadProgram(db, off), c1, "UTC", at("2026-01-15T00:00:00Z"))).toBeNull();

    const shop = await newShop({ expiryEnabled: true, expiryMonths: 12, expiryReminderDays: 14 });
    const program = await loadProgram(db, shop);
    const c2 = await member(shop, 50, at("2025-01-20T00:00:00Z"));
    await db.order.create({
      data: {
        shop,
        shopifyId: `o${++seq}`,
        customerId: c2.id,
        processedAt: at("2025-12-01T00:00:00Z"),
        subtotalCents: 1,
        totalCents: 1,
        currency: "USD",
      },
    });
    expect(await expiringPoints(db, shop, program, c2, "UTC", at("2026-01-15T00:00:00Z"))).toBeNull();
    expect(await expiringPoints(db, shop, program, { ...c2, pointsBalance: 0 }, "UTC", at("2026-11-20T00:00:00Z"))).toBeNull();
  });
});

describe("the daily reminder job", () => {
  it("marks each reminder due once, N days ahead in the shop's time zone, and a new one for the next period", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 6, expiryReminderDays: 7 }, "America/New_York");
    const c = await member(shop, 80, at("2025-06-10T12:00:00Z")); // June 10 in New York: expires 2025-12-10
    await member(shop, 10, at("2025-09-01T12:00:00Z")); // expires 2026-03-01: not yet
    expect(await markExpiryReminders(shop, at("2025-12-03T04:59:59Z"))).toEqual({ reminders: 0 }); // Dec 2, 23:59 in New York
    expect(await markExpiryReminders(shop, at("2025-12-03T05:00:00Z"))).toEqual({ reminders: 1 }); // Dec 3, 00:00
    expect(await markExpiryReminders(shop, at("2025-12-05T05:00:00Z"))).toEqual({ reminders: 0 }); // again: nothing new
    const [reminder] = await db.expiryReminder.findMany({ where: { shop } });
    expect(reminder).toMatchObject({ customerId: c.id, expiresOn: "2025-12-10", points: 80, dueAt: at("2025-12-03T05:00:00Z") });
    // An order on Dec 8 moves the expiry to June 8: a new period, a new reminder when it comes.
    await db.order.create({
      data: {
        shop,
        shopifyId: `o${++seq}`,
        customerId: c.id,
        processedAt: at("2025-12-08T17:00:00Z"),
        subtotalCents: 1,
        totalCents: 1,
        currency: "USD",
      },
    });
    expect(await markExpiryReminders(shop, at("2026-06-01T04:00:00Z"))).toEqual({ reminders: 1 });
    expect(
      (await db.expiryReminder.findMany({ where: { customerId: c.id }, orderBy: { id: "asc" } })).map((r) => r.expiresOn),
    ).toEqual(["2025-12-10", "2026-06-08"]);
  });

  it("marks nothing while expiry is off", async () => {
    const shop = await newShop({ expiryEnabled: false });
    await member(shop, 80, at("2024-01-01T00:00:00Z"));
    expect(await markExpiryReminders(shop, at("2026-01-01T00:00:00Z"))).toEqual({ reminders: 0 });
  });
});
