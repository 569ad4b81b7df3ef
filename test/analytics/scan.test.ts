// The one per-customer scan (`customerScan`) against from-scratch references: the original grouped
// count query (`customerCounts`, kept for this) and a plain JS recount of the orders written, on a
// seeded history with orders exactly at the boundary instants, future orders, guests, test,
// cancelled and refunded orders — then again after refunds, cancellations and a redaction. The
// purchase days the CLV models are fitted on (`customerTransactions`) are held to a JS regrouping.
// Runs on SQLite, or PostgreSQL when TEST_POSTGRES_URL is set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, dialect } from "../../app/db.server";
import { customerScan, customerCounts, orderTotals, type Window } from "../../app/analytics/kpis.server";
import { customerValues } from "../../app/analytics/customer-value.server";
import { customerDays } from "../../app/analytics/clv/transactions";
import { customerTransactions, daysOf } from "../../app/analytics/transactions.server";
import { dashboardData } from "../../app/analytics/report.server";
import { addDays, localDayNumber, startOfDay, type Day } from "../../app/analytics/time";
import { useFreshDatabase } from "../support/database";
import { customer, order, shopWith } from "./history";
import { mulberry32 } from "./simulate";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(async () => {
  await db.$disconnect();
});

const TZ = "America/New_York";
const W = 365;
const SHOP = "scan.myshopify.com";

function windowsFor(from: Day, to: Day): Window[] {
  const at = (d: Day) => startOfDay(d, TZ);
  const win = (f: Day, t: Day): Window => ({
    from: at(f),
    to: at(t),
    fromWindowStart: at(addDays(f, -W)),
    toWindowStart: at(addDays(t, -W)),
  });
  const length = Math.round((at(to).getTime() - at(from).getTime()) / 86_400_000);
  const previous = addDays(from, -length);
  return [win(from, to), win(previous, from), win(addDays(to, -365), to), win(addDays(from, -365), from)];
}

interface Written {
  customerId: number | null;
  at: Date;
  cents: number;
  refunded: number;
  test: boolean;
  cancelled: boolean;
}
const written: Written[] = [];
const ranges: [Day, Day][] = [
  ["2026-03-01", "2026-04-01"],
  ["2025-11-08", "2025-11-09"],
  ["2024-06-15", "2025-02-01"],
];

async function write(spec: {
  customerId: number | null;
  at: Date;
  subtotal: number;
  refunded?: number;
  test?: boolean;
  cancelled?: boolean;
}) {
  const row = await order(SHOP, { ...spec, at: spec.at.toISOString() });
  written.push({
    customerId: spec.customerId,
    at: spec.at,
    cents: Math.round(spec.subtotal * 100),
    refunded: Math.round((spec.refunded ?? 0) * 100),
    test: spec.test ?? false,
    cancelled: spec.cancelled ?? false,
  });
  return row;
}

beforeAll(async () => {
  await shopWith(SHOP, TZ);
  const random = mulberry32(7);
  const ids: number[] = [];
  for (let c = 0; c < 60; c++) ids.push((await customer(SHOP, { enrolledAt: c % 3 ? "2024-01-01T00:00:00Z" : null })).id);
  // Every boundary instant of every window, so "exactly at" cases are covered on both sides.
  const boundaries = ranges.flatMap(([f, t]) =>
    windowsFor(f, t).flatMap((w) => [w.from, w.to, w.fromWindowStart, w.toWindowStart]),
  );
  const start = new Date("2023-01-01T00:00:00Z").getTime();
  const end = new Date("2026-06-01T00:00:00Z").getTime();
  for (let k = 0; k < 600; k++) {
    const who = random() < 0.08 ? null : ids[Math.floor(random() * ids.length)];
    const at =
      random() < 0.25
        ? boundaries[Math.floor(random() * boundaries.length)]
        : new Date(start + Math.floor(random() * (end - start)));
    const roll = random();
    await write({
      customerId: who,
      at,
      subtotal: 10 + Math.floor(random() * 9000) / 100,
      refunded: roll < 0.1 ? 5 : 0,
      test: roll > 0.96,
      cancelled: roll > 0.92 && roll <= 0.96,
    });
  }
}, 120_000);

/** The per-customer facts recounted in JS from the orders written. */
function recount(asOf: Date) {
  const byCustomer = new Map<number, { n: number; revenue: number; first: number; last: number }>();
  for (const o of written) {
    if (o.customerId === null || o.test || o.cancelled || o.at >= asOf) continue;
    const c = byCustomer.get(o.customerId) ?? { n: 0, revenue: 0, first: Infinity, last: -Infinity };
    c.n++;
    c.revenue += o.cents - o.refunded;
    c.first = Math.min(c.first, o.at.getTime());
    c.last = Math.max(c.last, o.at.getTime());
    byCustomer.set(o.customerId, c);
  }
  return byCustomer;
}

const localDays = new Map<number, number>();
const localDay = (at: Date) => {
  if (!localDays.has(at.getTime())) localDays.set(at.getTime(), localDayNumber(at, TZ));
  return localDays.get(at.getTime())!;
};

async function expectScanMatchesReferences() {
  for (const [from, to] of ranges) {
    const windows = windowsFor(from, to);
    // asOf at the end, just before it (no order in between: bounds from asOf on need no test), and 40 days before (orders in between).
    for (const asOf of [
      windows[0].to,
      new Date(windows[0].to.getTime() - 1),
      new Date(windows[0].to.getTime() - 40 * 86_400_000),
    ]) {
      const scan = await customerScan(db, dialect(), SHOP, windows, asOf);
      const reference = await customerCounts(db, SHOP, windows);
      const totals = await orderTotals(db, SHOP, windows, { members: false });
      expect(
        scan.counts.map((c, i) => ({ ...c, customerOrders: totals[i].customerOrders })),
        `${from}..${to}`,
      ).toEqual(reference);

      const transactions = await customerTransactions(db, dialect(), SHOP, TZ, asOf);
      const values = customerValues(scan, transactions, asOf, 0);
      const expected = recount(asOf);
      // Purchase days in SQL against the same grouping in JS, on local days (New York: DST both ways).
      expect(transactions.lastObservedDay).toBe(localDayNumber(new Date(asOf.getTime() - 1), TZ));
      expect([...transactions.ids]).toEqual([...values.ids]);
      const counted = written.filter((o) => o.customerId !== null && !o.test && !o.cancelled && o.at < asOf);
      transactions.ids.forEach((id, i) => {
        const purchases = counted
          .filter((o) => o.customerId === id)
          .map((o) => ({ day: localDay(o.at), spend: o.cents - o.refunded }));
        expect({ id, ...daysOf(transactions, i) }).toEqual({ id, ...customerDays(purchases) });
      });
      expect(values.ids.length).toBe(expected.size);
      values.ids.forEach((id, i) => {
        const e = expected.get(id)!;
        expect({ id, n: values.orders[i], revenue: values.revenueCents[i], first: values.firstOrder[i] * 1000 }).toEqual({
          id,
          n: e.n,
          revenue: e.revenue,
          first: e.first,
        });
        expect(values.recencyDays[i]).toBeCloseTo(Math.max(0, (asOf.getTime() - e.last) / 86_400_000), 9);
      });
      expect([...values.ids]).toEqual([...values.ids].sort((a, b) => a - b));
    }
  }
}

describe("the per-customer scan", () => {
  it("gives the counts of the reference query and the per-customer facts of a plain recount", async () => {
    await expectScanMatchesReferences();
  });

  it("still does after new orders, refunds, cancellations and a redaction", async () => {
    const someone = written.find((o) => o.customerId !== null)!.customerId!;
    await write({ customerId: someone, at: startOfDay("2026-03-01", TZ), subtotal: 12 });
    await write({ customerId: someone, at: new Date("2026-03-15T12:00:00Z"), subtotal: 30 });
    const targets = await db.order.findMany({
      where: { shop: SHOP, test: false, cancelledAt: null, customerId: { not: null } },
      take: 6,
      orderBy: { id: "asc" },
    });
    for (const [k, o] of targets.entries()) {
      const mirror = written.find(
        (w) =>
          w.at.getTime() === o.processedAt.getTime() &&
          w.customerId === o.customerId &&
          !w.test &&
          !w.cancelled &&
          w.cents === o.subtotalCents,
      )!;
      if (k % 2) {
        await db.order.update({ where: { id: o.id }, data: { refundedSubtotalCents: o.subtotalCents } });
        mirror.refunded = o.subtotalCents;
      } else {
        await db.order.update({ where: { id: o.id }, data: { cancelledAt: new Date() } });
        mirror.cancelled = true;
      }
    }
    await db.customer.update({
      where: { id: someone },
      data: { email: null, firstName: null, lastName: null, redactedAt: new Date() },
    });
    await expectScanMatchesReferences();
  }, 90_000); // nine scans and their recounts: ~15 s, twice that on a loaded machine

  it("feeds the dashboard the same KPIs as the reference counts", async () => {
    const data = await dashboardData(
      SHOP,
      { from: "2026-03-01", to: "2026-04-01" },
      { fresh: true, now: new Date("2026-05-01T00:00:00Z") },
    );
    const [reference] = await customerCounts(db, SHOP, windowsFor("2026-03-01", "2026-04-01"));
    expect(data.kpis).toMatchObject({
      customersAtStart: reference.customersAtStart,
      customersAtEnd: reference.customersAtEnd,
      newCustomers: reference.newCustomers,
      retainedCustomers: reference.retainedCustomers,
      reactivatedCustomers: reference.reactivatedCustomers,
    });
    expect(data.kpis.purchaseFrequency).toBeCloseTo(reference.customerOrders / reference.customersOrdering, 12);
  });
});
