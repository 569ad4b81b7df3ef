// Points expiry against a real database (SQLite, or PostgreSQL with TEST_POSTGRES_URL): the sweep
// the primary process runs hourly, called here with an explicit `now`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { expirePoints, expiresOn, expiryCutoff } from "../../app/loyalty/expiry.server";
import { appendEntry, ledgerBalance } from "../../app/loyalty/ledger.server";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { waitFor } from "../support/wait";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

const at = (iso: string) => new Date(iso);

let shopSeq = 0;
/** A shop of its own for each test; `program: null` stores no settings row at all. */
async function newShop(program: { expiryEnabled?: boolean; expiryMonths?: number } | null, timezone = "UTC") {
  const shop = `expiry-${++shopSeq}.myshopify.com`;
  await db.shop.create({ data: { domain: shop, timezone } });
  if (program) await db.programSettings.create({ data: { shop, ...program } });
  return shop;
}

let seq = 0;
async function member(shop: string, points: number, enrolledAt: Date | null = at("2024-01-01T00:00:00Z")) {
  const customer = await db.customer.create({ data: { shop, shopifyId: String(++seq), enrolledAt } });
  if (points) await give(shop, customer.id, points);
  return customer.id;
}

async function give(shop: string, customerId: number, delta: number) {
  await db.$transaction((tx) =>
    appendEntry(tx, {
      shop,
      customerId,
      delta,
      kind: delta > 0 ? "earn" : "adjust",
      reason: "test",
      idempotencyKey: `test:${++seq}`,
    }),
  );
}

async function order(
  shop: string,
  customerId: number,
  processedAt: Date,
  extra: { test?: boolean; cancelled?: boolean; refundedCents?: number } = {},
) {
  return db.order.create({
    data: {
      shop,
      shopifyId: `o${++seq}`,
      customerId,
      processedAt,
      currency: "USD",
      subtotalCents: 1000,
      totalCents: 1000,
      test: extra.test ?? false,
      cancelledAt: extra.cancelled ? processedAt : null,
      refundedSubtotalCents: extra.refundedCents ?? 0,
    },
  });
}

/** The balance the ledger sums to, after checking the cached balance agrees. */
async function balance(customerId: number) {
  const sum = await ledgerBalance(db, customerId);
  const { pointsBalance } = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
  expect(pointsBalance).toBe(sum);
  return sum;
}

const expiries = (customerId: number) =>
  db.ledgerEntry.findMany({ where: { customerId, kind: "expire" }, orderBy: { id: "asc" } });

describe("the expiry date", () => {
  it("is the same day N calendar months on, or the 1st after a month too short for it", () => {
    expect(expiresOn("2025-01-10", 3)).toBe("2025-04-10");
    expect(expiresOn("2025-01-31", 1)).toBe("2025-03-01"); // no Feb 31: a whole month has passed on Mar 1
    expect(expiresOn("2025-01-28", 1)).toBe("2025-02-28");
    expect(expiresOn("2025-01-29", 1)).toBe("2025-03-01");
    expect(expiresOn("2024-01-29", 1)).toBe("2024-02-29"); // leap year
    expect(expiresOn("2024-01-30", 1)).toBe("2024-03-01");
    expect(expiresOn("2025-03-31", 1)).toBe("2025-05-01");
    expect(expiresOn("2024-02-29", 12)).toBe("2025-03-01");
    expect(expiresOn("2024-08-31", 6)).toBe("2025-03-01");
    expect(expiresOn("2024-12-15", 12)).toBe("2025-12-15");
  });

  it("cutoff agrees with expiresOn for every activity day and every day of a year, at 1, 6 and 12 months", () => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const DAY = 86_400_000;
    const disagreements: string[] = [];
    for (const months of [1, 6, 12]) {
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += DAY) {
        const now = new Date(t + 12 * 3600_000); // noon of that day
        const cutoff = expiryCutoff(now, months, "UTC");
        // Every activity day in the 3 months around the cutoff: expired exactly when its expiry day has come.
        for (let a = cutoff.getTime() - 45 * DAY; a < cutoff.getTime() + 45 * DAY; a += DAY) {
          const activity = new Date(a + 6 * 3600_000);
          if (activity < cutoff !== expiresOn(day(a), months) <= day(t)) disagreements.push(`${day(a)} +${months} at ${day(t)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("counts days in the shop's time zone", () => {
    // 2025-03-01 02:00 UTC is still Feb 28 in New York: a Jan 31 (local) order has not expired there yet.
    expect(expiryCutoff(at("2025-03-01T02:00:00Z"), 1, "America/New_York")).toEqual(at("2025-01-29T05:00:00Z"));
    expect(expiryCutoff(at("2025-03-01T05:00:00Z"), 1, "America/New_York")).toEqual(at("2025-02-02T05:00:00Z"));
  });
});

describe("expirePoints()", () => {
  it("expires the exact balance after N months without an order, not a day before", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 3 });
    const customer = await member(shop, 250);
    await give(shop, customer, -30);
    await order(shop, customer, at("2025-01-10T15:00:00Z"));

    expect(await expirePoints(at("2025-04-09T23:59:59Z"), { shop })).toEqual({ customers: 0, points: 0 });
    expect(await balance(customer)).toBe(220);

    expect(await expirePoints(at("2025-04-10T00:00:00Z"), { shop })).toEqual({ customers: 1, points: 220 });
    expect(await balance(customer)).toBe(0);
    const [row] = await expiries(customer);
    expect(row).toMatchObject({
      shop,
      delta: -220,
      kind: "expire",
      reason: "Points expired after 3 months without an order",
      idempotencyKey: `expire:${customer}:2025-01-10T15:00:00.000Z`,
      orderId: null,
    });
  });

  it("does nothing when the shop has not turned expiry on (the default)", async () => {
    const defaults = await newShop({});
    const none = await newShop(null);
    const a = await member(defaults, 100);
    const b = await member(none, 100);
    expect((await db.programSettings.findUniqueOrThrow({ where: { shop: defaults } })).expiryEnabled).toBe(false);
    expect(await expirePoints(at("2030-01-01T00:00:00Z"), { shop: defaults })).toEqual({ customers: 0, points: 0 });
    expect(await expirePoints(at("2030-01-01T00:00:00Z"), { shop: none })).toEqual({ customers: 0, points: 0 });
    expect(await balance(a)).toBe(100);
    expect(await balance(b)).toBe(100);
  });

  it("starts a new period with each order: the clock resets, and the next period expires once more", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 6 });
    const customer = await member(shop, 100);
    await order(shop, customer, at("2024-03-01T10:00:00Z"));
    expect(await expirePoints(at("2024-09-01T00:00:00Z"), { shop })).toEqual({ customers: 1, points: 100 });

    // Back with a new order: it earns, and the six months count from it.
    await order(shop, customer, at("2024-10-15T10:00:00Z"));
    await give(shop, customer, 40);
    expect(await expirePoints(at("2025-04-14T12:00:00Z"), { shop })).toEqual({ customers: 0, points: 0 });
    expect(await balance(customer)).toBe(40);
    expect(await expirePoints(at("2025-04-15T00:00:00Z"), { shop })).toEqual({ customers: 1, points: 40 });
    expect(await balance(customer)).toBe(0);
    expect((await expiries(customer)).map((e) => [e.delta, e.idempotencyKey])).toEqual([
      [-100, `expire:${customer}:2024-03-01T10:00:00.000Z`],
      [-40, `expire:${customer}:2024-10-15T10:00:00.000Z`],
    ]);
  });

  it("expires one inactivity period once, run again or from two processes at the same time", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 12 });
    const customers = [await member(shop, 10), await member(shop, 20), await member(shop, 30)];
    const now = at("2026-06-01T00:00:00Z");
    const [first, second] = await Promise.all([
      expirePoints(now, { shop, batchSize: 2 }),
      expirePoints(now, { shop, batchSize: 2 }),
    ]);
    expect(first.customers + second.customers).toBe(3);
    expect(first.points + second.points).toBe(60);
    expect(await expirePoints(now, { shop })).toEqual({ customers: 0, points: 0 });
    // Points given during the same inactivity period are not expired again: the period expired once.
    await give(shop, customers[0], 5);
    expect(await expirePoints(at("2027-06-01T00:00:00Z"), { shop })).toEqual({ customers: 0, points: 0 });
    for (const c of customers) expect(await expiries(c)).toHaveLength(1);
    expect(await Promise.all(customers.map(balance))).toEqual([5, 0, 0]);
  });

  it("appends nothing for a member at zero or below", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 1 });
    const zero = await member(shop, 0);
    const spent = await member(shop, 50);
    await give(shop, spent, -50);
    const negative = await member(shop, 0);
    await give(shop, negative, -15);
    expect(await expirePoints(at("2026-01-01T00:00:00Z"), { shop })).toEqual({ customers: 0, points: 0 });
    for (const c of [zero, spent, negative]) expect(await expiries(c)).toEqual([]);
    expect(await balance(negative)).toBe(-15);
  });

  it("works through every chunk and leaves each cached balance equal to its ledger sum", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 2 });
    const inactive = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => member(shop, n * 11)));
    const active = await member(shop, 500);
    await order(shop, active, at("2025-05-20T00:00:00Z"));
    expect(await expirePoints(at("2025-06-01T00:00:00Z"), { shop, batchSize: 3 })).toEqual({ customers: 7, points: 11 * 28 });
    for (const c of inactive) expect(await balance(c)).toBe(0);
    expect(await balance(active)).toBe(500);
  });

  it("leaves a shop with expiry off untouched while sweeping every shop", async () => {
    const on = await newShop({ expiryEnabled: true, expiryMonths: 12 });
    const off = await newShop({ expiryEnabled: false, expiryMonths: 1 });
    const expiring = await member(on, 70);
    const kept = await member(off, 80);
    const result = await expirePoints(at("2031-01-01T00:00:00Z"));
    expect(result.customers).toBeGreaterThanOrEqual(1);
    expect(await balance(expiring)).toBe(0);
    expect(await balance(kept)).toBe(80);
    expect(await db.ledgerEntry.count({ where: { shop: off, kind: "expire" } })).toBe(0);
  });

  it("a last order on Jan 31 expires with 1 month from Mar 1, not on Feb 28", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 1 });
    const customer = await member(shop, 60, at("2024-06-01T00:00:00Z"));
    await order(shop, customer, at("2025-01-31T18:00:00Z"));
    expect(await expirePoints(at("2025-02-28T23:59:59Z"), { shop })).toEqual({ customers: 0, points: 0 });
    expect(await expirePoints(at("2025-03-01T00:00:00Z"), { shop })).toEqual({ customers: 1, points: 60 });
  });

  it("counts days in the shop's time zone", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 1 }, "America/New_York");
    const customer = await member(shop, 60, at("2024-06-01T00:00:00Z"));
    await order(shop, customer, at("2025-01-31T18:00:00Z")); // Jan 31, 13:00 in New York
    expect(await expirePoints(at("2025-03-01T04:59:59Z"), { shop })).toEqual({ customers: 0, points: 0 }); // Feb 28 there
    expect(await expirePoints(at("2025-03-01T05:00:00Z"), { shop })).toEqual({ customers: 1, points: 60 });
  });

  it("does not count test or cancelled orders as activity; refunded orders do count", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 12 });
    const tested = await member(shop, 10);
    await order(shop, tested, at("2025-11-01T00:00:00Z"), { test: true });
    const cancelled = await member(shop, 20);
    await order(shop, cancelled, at("2025-11-01T00:00:00Z"), { cancelled: true });
    const refunded = await member(shop, 30);
    await order(shop, refunded, at("2025-11-01T00:00:00Z"), { refundedCents: 1000 });
    expect(await expirePoints(at("2026-01-01T00:00:00Z"), { shop })).toEqual({ customers: 2, points: 30 });
    expect(await balance(refunded)).toBe(30);
  });

  it("counts from enrolment when there is no later order, else from the member's first ledger row", async () => {
    const shop = await newShop({ expiryEnabled: true, expiryMonths: 12 });
    // Enrolled by a historical import long after their last order: a full period from enrolment.
    const imported = await member(shop, 40, at("2025-06-01T00:00:00Z"));
    await order(shop, imported, at("2022-03-01T00:00:00Z"));
    // No enrolment date and no order: the first ledger row (written now) starts the clock.
    const unenrolled = await member(shop, 25, null);
    const [firstRow] = await db.ledgerEntry.findMany({ where: { customerId: unenrolled }, orderBy: { id: "asc" }, take: 1 });

    expect(await expirePoints(at("2026-05-31T12:00:00Z"), { shop })).toEqual({ customers: 0, points: 0 });
    expect(await expirePoints(at("2026-06-01T00:00:00Z"), { shop })).toEqual({ customers: 1, points: 40 });
    expect((await expiries(imported))[0].idempotencyKey).toBe(`expire:${imported}:2025-06-01T00:00:00.000Z`);

    const later = new Date(firstRow.createdAt.getTime() + 400 * 86_400_000);
    expect(await expirePoints(later, { shop })).toEqual({ customers: 1, points: 25 });
    expect((await expiries(unenrolled))[0].idempotencyKey).toBe(`expire:${unenrolled}:${firstRow.createdAt.toISOString()}`);
  });

  // PostgreSQL only: on SQLite the single writer keeps the sweep from running beside a half-recorded order.
  it.runIf(usingPostgres)(
    "spares a member whose order is being recorded while the sweep runs (re-checked under the row lock)",
    async () => {
      const shop = await newShop({ expiryEnabled: true, expiryMonths: 12 });
      const customer = await member(shop, 90);
      let holding!: () => void;
      let release!: () => void;
      const held = new Promise<void>((r) => (holding = r));
      const gate = new Promise<void>((r) => (release = r));
      // Recording an order: it writes the order and moves the member's balance (their row stays locked) until it commits.
      const writer = db.$transaction(
        async (tx) => {
          await tx.order.create({
            data: {
              shop,
              shopifyId: `o${++seq}`,
              customerId: customer,
              processedAt: at("2026-05-30T00:00:00Z"),
              currency: "USD",
              subtotalCents: 1000,
              totalCents: 1000,
            },
          });
          await tx.$executeRawUnsafe(`UPDATE "Customer" SET "pointsBalance" = "pointsBalance" WHERE "id" = $1`, customer);
          holding();
          await gate;
        },
        { timeout: 10_000 },
      );
      await held;
      const sweep = expirePoints(at("2026-06-01T00:00:00Z"), { shop }); // selects the member: the order is not committed yet
      let settled = false;
      void sweep.finally(() => (settled = true)).catch(() => {});
      // ... and waits for their row: PostgreSQL shows a session of this database waiting on a lock
      // (or the sweep finished without waiting, and the assertions below say what it did).
      await waitFor(
        async () => {
          const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(
            `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return settled || Number(n) > 0;
        },
        { what: "the sweep to wait for the member's row lock" },
      );
      release();
      await writer;
      expect(await sweep).toEqual({ customers: 0, points: 0 });
      expect(await balance(customer)).toBe(90);
    },
  );
});
