// The KPIs of docs/kpis.md on small histories computed by hand, against a real database (SQLite, or
// PostgreSQL when TEST_POSTGRES_URL is set). Each expectation says where its number comes from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, dialect } from "../../app/db.server";
import { summarize } from "../../app/analytics/clv/transactions";
import { customerTransactions, daysOf } from "../../app/analytics/transactions.server";
import { churnRate, retentionRate } from "../../app/analytics/formulas";
import { dashboardData, kpiReport, validateRange } from "../../app/analytics/report.server";
import { startOfDay } from "../../app/analytics/time";
import { useFreshDatabase } from "../support/database";
import { customer, customersOrderingAt, ledger, order, shopWith } from "./history";
import { simulateCohort } from "./simulate";

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(async () => {
  await db.$disconnect();
});

const fresh = { fresh: true };

describe("the textbook examples of docs/kpis.md", () => {
  it("CRR = (E − N) / S: S = 2000, E = 2100, N = 300, nobody reactivated → 90%", () => {
    const counts = { customersAtStart: 2000, customersAtEnd: 2100, newCustomers: 300, reactivatedCustomers: 0 };
    expect(retentionRate(counts)).toBeCloseTo(0.9, 12);
    expect(churnRate(counts)).toBeCloseTo(0.1, 12);
  });

  it("the same 90% from a real history of 2,300 customers", async () => {
    const shop = "textbook-crr.myshopify.com";
    await shopWith(shop, "UTC");
    // Period March 2026, W = 365 days. 1,800 customers ordered in Oct 2025: active at both ends.
    // 200 ordered on 2025-03-05: active at 2026-03-01 (window from 2025-03-01) but not at 2026-04-01
    // (window from 2025-04-01): lost. 300 first ordered in March 2026: new.
    await customersOrderingAt(shop, 1800, "2025-10-15T12:00:00Z");
    await customersOrderingAt(shop, 200, "2025-03-05T12:00:00Z");
    await customersOrderingAt(shop, 300, "2026-03-10T12:00:00Z");
    const k = await kpiReport(shop, { from: "2026-03-01", to: "2026-04-01" }, fresh);
    expect(k).toMatchObject({
      customersAtStart: 2000,
      customersAtEnd: 2100,
      newCustomers: 300,
      reactivatedCustomers: 0,
      retainedCustomers: 1800,
    });
    expect(k.retentionRate).toBeCloseTo(0.9, 12);
  });

  it("churn: 25 of 500 lost → 5%", async () => {
    const shop = "textbook-churn.myshopify.com";
    await shopWith(shop, "UTC");
    await customersOrderingAt(shop, 475, "2025-12-01T12:00:00Z"); // still active at 2026-04-01
    await customersOrderingAt(shop, 25, "2025-03-02T12:00:00Z"); // falls out of the window in March
    const k = await kpiReport(shop, { from: "2026-03-01", to: "2026-04-01" }, fresh);
    expect(k.customersAtStart).toBe(500);
    expect(k.customersAtEnd).toBe(475);
    expect(k.churnRate).toBeCloseTo(0.05, 12);
    expect(k.retentionRate).toBeCloseTo(0.95, 12);
  });
});

describe("every KPI on a hand-made history (America/New_York, March 2026, W = 365 days)", () => {
  const shop = "hand-made.myshopify.com";
  const period = { from: "2026-03-01", to: "2026-04-01" };

  beforeAll(async () => {
    await shopWith(shop, "America/New_York");
    const A = await customer(shop, { name: "Ada", enrolledAt: "2025-06-10T12:00:00Z" });
    const B = await customer(shop, { name: "Ben" });
    const C = await customer(shop, { name: "Cy" });
    const D = await customer(shop, { name: "Dee", enrolledAt: "2026-03-10T12:00:00Z" });
    const E = await customer(shop, { name: "Eve" });
    const F = await customer(shop, { name: "Fay" });
    const G = await customer(shop, { name: "Gus" });
    // Times at 12:00Z are 07:00/08:00 in New York, the same calendar day.
    await order(shop, { customerId: A.id, at: "2025-06-10T12:00:00Z", subtotal: 30 });
    await order(shop, { customerId: A.id, at: "2026-03-15T12:00:00Z", subtotal: 100 });
    await order(shop, { customerId: A.id, at: "2026-03-16T12:00:00Z", subtotal: 999, test: true }); // never counts
    await order(shop, { customerId: B.id, at: "2025-09-01T12:00:00Z", subtotal: 20 });
    await order(shop, { customerId: C.id, at: "2025-03-20T12:00:00Z", subtotal: 25 });
    await order(shop, { customerId: D.id, at: "2026-03-10T12:00:00Z", subtotal: 40 });
    await order(shop, { customerId: D.id, at: "2026-03-20T12:00:00Z", subtotal: 80, refunded: 30 });
    await order(shop, { customerId: E.id, at: "2026-03-05T12:00:00Z", subtotal: 60 });
    await order(shop, { customerId: E.id, at: "2026-03-06T12:00:00Z", subtotal: 500, cancelled: true }); // never counts
    await order(shop, { customerId: F.id, at: "2024-01-10T12:00:00Z", subtotal: 10 });
    await order(shop, { customerId: F.id, at: "2026-03-25T12:00:00Z", subtotal: 70 });
    await order(shop, { customerId: G.id, at: "2026-04-05T12:00:00Z", subtotal: 90 }); // after the period
    await order(shop, { customerId: null, at: "2026-03-12T12:00:00Z", subtotal: 50 }); // a guest
    // Points: A earns 100 and redeems 50; D earns 40 and 10 expire.
    await ledger(shop, A.id, 100, "earn", "2026-03-15T12:01:00Z");
    await ledger(shop, A.id, -50, "redeem", "2026-03-16T12:00:00Z");
    await ledger(shop, D.id, 40, "earn", "2026-03-10T12:01:00Z");
    await ledger(shop, D.id, -10, "expire", "2026-03-28T12:00:00Z");
  });

  it("counts customers at start and end, new, retained, reactivated", async () => {
    const k = await kpiReport(shop, period, fresh);
    // Active at 2026-03-01 (an order in [2025-03-01, 2026-03-01)): A (Jun 2025), B (Sep 2025), C (2025-03-20) → S = 3.
    expect(k.customersAtStart).toBe(3);
    // Active at 2026-04-01 ([2025-04-01, 2026-04-01)): A, B, D, E, F → E = 5 (C's only order is before 2025-04-01).
    expect(k.customersAtEnd).toBe(5);
    // First-ever order in March: D and E (G's first order is in April; test/cancelled orders never count).
    expect(k.newCustomers).toBe(2);
    // Active at both ends: A and B.
    expect(k.retainedCustomers).toBe(2);
    // F: last order in Jan 2024, so not active at the start, not new, ordered in March.
    expect(k.reactivatedCustomers).toBe(1);
    // CRR = (E − N − reactivated) / S = (5 − 2 − 1) / 3; churn = 1/3 (C).
    expect(k.retentionRate).toBeCloseTo(2 / 3, 12);
    expect(k.churnRate).toBeCloseTo(1 / 3, 12);
  });

  it("computes repeat and returning rates", async () => {
    const k = await kpiReport(shop, period, fresh);
    // Customers with an order before 2026-04-01: A, B, C, D, E, F (6); with ≥ 2: A, D, F → 3/6.
    expect(k.repeatPurchaseRate).toBeCloseTo(0.5, 12);
    // Ordered in March: A, D, E, F; with > 1 order before `to`: A, D, F → 3/4.
    expect(k.returningCustomerRate).toBeCloseTo(0.75, 12);
  });

  it("counts orders and revenue with guests, without test or cancelled orders, net of refunds", async () => {
    const k = await kpiReport(shop, period, fresh);
    // A 100, D 40, D 80 − 30 refunded, E 60, F 70, guest 50: 6 orders, 370.00.
    expect(k.orders).toBe(6);
    expect(k.revenue).toBe(370);
    expect(k.averageOrderValue).toBe(61.67); // 370 / 6 = 61.666…
    // Orders with a customer (5) / customers ordering (A, D, E, F).
    expect(k.purchaseFrequency).toBeCloseTo(1.25, 12);
  });

  it("computes the textbook CLV over the 12 months to the end of the period", async () => {
    const k = await kpiReport(shop, period, fresh);
    // [2025-04-01, 2026-04-01): A 30 + 100, B 20, D 40 + 50, E 60, F 70, guest 50 → 8 orders, 420 → AOV 52.50.
    // 7 customer orders / 5 customers (A, B, D, E, F) = 1.4 purchases a year.
    // Annual churn: active at 2025-04-01 only C, who is lost → churn 1 → lifespan 1 year.
    expect(k.customerLifetimeValueInputs).toEqual({
      averageOrderValue: 52.5,
      purchasesPerYear: 1.4,
      averageLifespanYears: 1,
      lifespanBasis: "1 / annual churn",
    });
    expect(k.customerLifetimeValue).toBe(73.5); // 52.50 × 1.4 × 1
    // Three repeat customers are far too few to fit BG/NBD: the textbook value, labelled.
    expect(k.predictedClv.model).toBe("textbook");
    expect(k.predictedClv.average).toBe(73.5);
  });

  it("reports the previous period of equal length", async () => {
    const k = await kpiReport(shop, period, fresh);
    // March has 31 days → previous = [2026-01-29, 2026-03-01): no orders in it.
    expect(k.previous).toMatchObject({ from: "2026-01-29", to: "2026-03-01", orders: 0, revenue: 0, newCustomers: 0 });
    // Active at 2026-01-29: A, B, C; at 2026-03-01 the same three → CRR 1.
    expect(k.previous.customersAtStart).toBe(3);
    expect(k.previous.customersAtEnd).toBe(3);
    expect(k.previous.retentionRate).toBe(1);
  });

  it("measures the program: points, liability, redemption, members vs non-members", async () => {
    const { program } = await kpiReport(shop, period, fresh);
    expect(program).toMatchObject({
      pointsIssued: 140,
      pointsRedeemed: 50,
      pointsExpired: 10,
      pointsOutstanding: 80,
      // No amount-off reward: a point is valued at what earned it, 1 / pointsPerUnit = 1.00.
      liability: 80,
      liabilityBasis: "earn-rate",
      members: 2,
      redeemers: 1,
      // Members A and D: 100 + 40 + 50 over 3 orders; non-members E, F and the guest: 60 + 70 + 50.
      memberOrders: 3,
      memberRevenue: 190,
      memberAverageOrderValue: 63.33,
      nonMemberOrders: 3,
      nonMemberRevenue: 180,
      nonMemberAverageOrderValue: 60,
    });
    expect(program.redemptionRate).toBeCloseTo(50 / 140, 12);
    expect(program.redeemerRate).toBeCloseTo(0.5, 12);
    expect(program.memberPurchaseFrequency).toBeCloseTo(1.5, 12); // 3 orders / 2 members
    expect(program.nonMemberPurchaseFrequency).toBeCloseTo(1, 12); // E and F, one order each (the guest has no frequency)
  });

  it("values the liability at the most generous amount-off reward once there is one", async () => {
    await db.reward.create({ data: { shop, name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 } });
    const { program } = await kpiReport(shop, period); // cached entry is stale: rewards changed
    expect(program.liabilityBasis).toBe("rewards");
    expect(program.liability).toBe(0.8); // 80 points × 1 cent
  });

  it("puts the history into cohorts, monthly trends and RFM segments", async () => {
    const data = await dashboardData(shop, period, fresh);
    const march = data.series.find((m) => m.month === "2026-03-01")!;
    expect(march).toMatchObject({ orders: 6, revenue: 370, customers: 4, newCustomers: 2, returningCustomers: 2 });
    const marchCohort = data.cohorts.find((c) => c.month === "2026-03-01")!;
    // D and E first ordered in March: 2 customers, 40 + 50 + 60 = 150 → 75.00 each.
    expect(marchCohort).toMatchObject({ customers: 2, retention: [1], cumulativeRevenuePerCustomer: [75] });
    const june = data.cohorts.find((c) => c.month === "2025-06-01")!;
    // A alone: 30 in June 2025, orders again in March 2026 (month 9) for 100.
    expect(june.customers).toBe(1);
    expect(june.retention[9]).toBe(1);
    expect(june.retention[8]).toBe(0);
    expect(june.cumulativeRevenuePerCustomer[9]).toBe(130);
    const total = data.segments.reduce((sum, s) => sum + s.customers, 0);
    expect(total).toBe(6); // A–F; G orders after the period
    expect(data.atRisk).toMatchObject({ total: 0, customers: [] }); // no fitted model, no P(alive)
    expect(data.empty).toBe(false);
  });
});

describe("periods in the shop's time zone", () => {
  it("starts a day at local midnight, also on the day DST begins", () => {
    // Berlin: CET (+1) until 2026-03-29 02:00, then CEST (+2).
    expect(startOfDay("2026-03-29", "Europe/Berlin").toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(startOfDay("2026-03-30", "Europe/Berlin").toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(startOfDay("2026-11-02", "America/New_York").toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(startOfDay("2026-07-01", "Asia/Tehran").toISOString()).toBe("2026-06-30T20:30:00.000Z");
  });

  it("counts an order placed exactly at local midnight in the period it starts, not the one before", async () => {
    const shop = "midnight.myshopify.com";
    await shopWith(shop, "Europe/Berlin");
    const a = await customer(shop);
    const b = await customer(shop);
    // The 23-hour day 2026-03-29 in Berlin is [2026-03-28T23:00Z, 2026-03-29T22:00Z).
    await order(shop, { customerId: a.id, at: "2026-03-28T22:59:59.999Z", subtotal: 1 }); // 23:59:59.999 on the 28th
    await order(shop, { customerId: b.id, at: "2026-03-28T23:00:00.000Z", subtotal: 10 }); // exactly midnight: in
    await order(shop, { customerId: null, at: "2026-03-29T21:59:59.999Z", subtotal: 20 }); // last instant: in
    await order(shop, { customerId: a.id, at: "2026-03-29T22:00:00.000Z", subtotal: 40 }); // next midnight: out
    const day = await kpiReport(shop, { from: "2026-03-29", to: "2026-03-30" }, fresh);
    expect(day).toMatchObject({ orders: 2, revenue: 30, newCustomers: 1, customersAtStart: 1, customersAtEnd: 2 });
    // b's order at midnight belongs to the period: b is new, and was not active at its start.
    expect(day.retainedCustomers).toBe(1); // a, from the order one millisecond before midnight
    const before = await kpiReport(shop, { from: "2026-03-28", to: "2026-03-29" }, fresh);
    expect(before).toMatchObject({ orders: 1, revenue: 1, newCustomers: 1 });
    const after = await kpiReport(shop, { from: "2026-03-30", to: "2026-03-31" }, fresh);
    expect(after).toMatchObject({ orders: 1, revenue: 40, newCustomers: 0, returningCustomerRate: 1 });
  });
});

describe("predicted CLV and at-risk customers", () => {
  it("fits BG/NBD × Gamma-Gamma once there are enough repeat customers, and lists the at-risk ones by value", async () => {
    const shop = "fitted.myshopify.com";
    await shopWith(shop, "UTC");
    // 400 customers drawn from BG/NBD (CDNOW's parameters, in weeks) and Gamma-Gamma, observed
    // 20–78 weeks up to 2026-03-01, written as orders: first at end − T, the last repeat at t_x.
    const cohort = simulateCohort(
      11,
      400,
      { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      { p: 6.25, q: 3.74, v: 15.44 },
      20,
      78,
    );
    const end = Date.parse("2026-03-01T00:00:00Z");
    const week = 7 * 86_400_000;
    const people = await db.customer.createManyAndReturn({
      data: cohort.map((_, i) => ({ shop, shopifyId: `sim-${i}`, firstName: `Sim${i}` })),
      select: { id: true },
    });
    await db.order.createMany({
      data: cohort.flatMap((c, i) => {
        const first = end - c.T * week;
        const value = Math.max(1, Math.round((c.x > 0 ? c.zbar : 30) * 100));
        return Array.from({ length: c.x + 1 }, (_, n) => ({
          shop,
          shopifyId: `sim-${i}-${n}`,
          customerId: people[i].id,
          currency: "USD",
          processedAt: new Date(first + (c.x > 0 ? (c.t_x * week * n) / c.x : 0)),
          subtotalCents: value,
          totalCents: value,
        }));
      }),
    });
    const data = await dashboardData(shop, { from: "2026-02-01", to: "2026-03-01" }, fresh);
    const clv = data.kpis.predictedClv;
    expect(clv.model).toBe("bgnbd-gamma-gamma");
    expect(clv.repeatCustomers).toBeGreaterThanOrEqual(30);
    expect(clv.params).toMatchObject({
      r: expect.any(Number),
      alpha: expect.any(Number),
      a: expect.any(Number),
      b: expect.any(Number),
    });
    expect(clv.average).toBeGreaterThan(0);
    const risk = data.atRisk.customers;
    expect(data.atRisk.total).toBeGreaterThan(0);
    for (const c of risk) {
      expect(c.probabilityAlive).toBeLessThan(data.atRisk.threshold);
      expect(c.orders).toBeGreaterThan(1);
    }
    const revenues = risk.map((c) => c.revenue);
    expect(revenues).toEqual([...revenues].sort((x, y) => y - x)); // high value first
  });
});

describe("CLV inputs in the shop's time zone", () => {
  it("makes one transaction of one local day across two UTC days, and two of two local days within one UTC day", async () => {
    const shop = "clv-days.myshopify.com";
    await shopWith(shop, "America/Los_Angeles"); // PST, UTC−8, in January
    const sameDay = await customer(shop);
    const twoDays = await customer(shop);
    // Jan 10 08:00 and 20:00 local = Jan 10 16:00 and Jan 11 04:00 UTC: one local day.
    await order(shop, { customerId: sameDay.id, at: "2026-01-10T16:00:00Z", subtotal: 30 });
    await order(shop, { customerId: sameDay.id, at: "2026-01-11T04:00:00Z", subtotal: 20 });
    // Jan 11 01:00 and 09:00 UTC = Jan 10 17:00 and Jan 11 01:00 local: one UTC day, two local days.
    await order(shop, { customerId: twoDays.id, at: "2026-01-11T01:00:00Z", subtotal: 10 });
    await order(shop, { customerId: twoDays.id, at: "2026-01-11T09:00:00Z", subtotal: 25 });
    const asOf = startOfDay("2026-01-25", "America/Los_Angeles");
    const t = await customerTransactions(db, dialect(), shop, "America/Los_Angeles", asOf);
    const summary = (id: number) => summarize(daysOf(t, t.ids.indexOf(id)), t.lastObservedDay, 100);
    // Age runs from Jan 10 (local) to Jan 24, the last day before asOf: 14 days = 2 weeks.
    expect(summary(sameDay.id)).toEqual({ x: 0, t_x: 0, T: 2, zbar: 0 });
    expect(summary(twoDays.id)).toEqual({ x: 1, t_x: 1 / 7, T: 2, zbar: 25 });
  });
});

describe("a new shop and bad ranges", () => {
  it("is empty with zero counts and undefined (null) rates, not errors", async () => {
    // Changed with null semantics: rates and averages over nothing used to read 0 here.
    const data = await dashboardData("brand-new.myshopify.com", { from: "2026-01-01", to: "2026-02-01" }, fresh);
    expect(data.empty).toBe(true);
    expect(data.kpis).toMatchObject({
      orders: 0,
      revenue: 0,
      retentionRate: null,
      churnRate: null,
      averageOrderValue: null,
      repeatPurchaseRate: null,
    });
  });

  it("gives null, never 0, for every rate and average whose denominator is zero", async () => {
    // A shop's first quarter: one customer whose first order is in the period, nobody active at
    // its start, no orders in the previous period, no points issued, no member orders.
    const shop = "first-quarter.myshopify.com";
    await shopWith(shop, "UTC");
    const c = await customer(shop, { enrolledAt: null });
    await order(shop, { customerId: c.id, at: "2026-02-10T12:00:00Z", subtotal: 40 });
    const data = await dashboardData(shop, { from: "2026-01-01", to: "2026-04-01" }, fresh);
    const k = data.kpis;
    // Defined: one customer, one order.
    expect(k).toMatchObject({ customersAtStart: 0, newCustomers: 1, orders: 1, averageOrderValue: 40, purchaseFrequency: 1 });
    expect(k).toMatchObject({ repeatPurchaseRate: 0, returningCustomerRate: 0 }); // 0 of 1: defined, and 0
    // S = 0: retention and churn are undefined, not "0% retention, 0% churn".
    expect(k).toMatchObject({ retentionRate: null, churnRate: null });
    expect(k.previous).toMatchObject({
      orders: 0,
      averageOrderValue: null,
      purchaseFrequency: null,
      repeatPurchaseRate: null,
      returningCustomerRate: null,
      retentionRate: null,
      churnRate: null,
      customerLifetimeValue: null,
      customerLifetimeValueInputs: { averageOrderValue: null, purchasesPerYear: null },
    });
    expect(k.program).toMatchObject({
      members: 0,
      redemptionRate: null,
      redeemerRate: null,
      memberAverageOrderValue: null,
      memberPurchaseFrequency: null,
      nonMemberAverageOrderValue: 40,
      nonMemberPurchaseFrequency: 1,
    });
    // Months without orders, empty cohorts and empty segments have no averages or shares.
    const january = data.series.find((m) => m.month === "2026-01-01")!;
    expect(january).toMatchObject({ orders: 0, averageOrderValue: null, returningShare: null, purchaseFrequency: null });
    const janCohort = data.cohorts.find((m) => m.month === "2026-01-01")!;
    expect(janCohort.customers).toBe(0);
    expect(new Set([...janCohort.retention, ...janCohort.cumulativeRevenuePerCustomer])).toEqual(new Set([null]));
    expect(data.cohorts.find((m) => m.month === "2026-02-01")!.retention[0]).toBe(1);
    expect(data.segments.filter((s) => s.customers === 0).every((s) => s.averagePredictedClv === null)).toBe(true);
  });

  it("says null for retention and churn when S = 0, in the formulas too", () => {
    const counts = { customersAtStart: 0, customersAtEnd: 5, newCustomers: 5, reactivatedCustomers: 0 };
    expect(retentionRate(counts)).toBeNull();
    expect(churnRate(counts)).toBeNull();
  });

  it("rejects reversed, empty and impossible ranges", () => {
    expect(() => validateRange({ from: "2026-02-01", to: "2026-01-01" })).toThrow(/after/);
    expect(() => validateRange({ from: "2026-02-01", to: "2026-02-01" })).toThrow(/after/);
    expect(() => validateRange({ from: "2026-02-30", to: "2026-03-01" })).toThrow(/YYYY-MM-DD/);
  });
});
