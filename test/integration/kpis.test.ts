// GET /app/api/kpis end to end: the real built server, a real database (SQLite, or PostgreSQL when
// TEST_POSTGRES_URL is set), session-token auth as App Bridge sends it (test/support/admin-session).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { adminHeaders, sessionToken, storeAdminSessions, BROWSER_USER_AGENT } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";
import { customer, ledger, order } from "../analytics/history";

let app: RunningApp;

beforeAll(async () => {
  const url = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, timezone: "America/Los_Angeles", currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  await storeAdminSessions(SHOP);
  // Period: February 2026 in Los Angeles (PST, −08:00), [2026-02-01T08:00Z, 2026-03-01T08:00Z).
  const kim = await customer(SHOP, { name: "Kim", enrolledAt: "2025-05-01T20:00:00Z" });
  const lee = await customer(SHOP, { name: "Lee" });
  const max = await customer(SHOP, { name: "Max" });
  const noa = await customer(SHOP, { name: "Noa", enrolledAt: "2026-02-10T20:00:00Z" });
  await order(SHOP, { customerId: kim.id, at: "2025-05-01T20:00:00Z", subtotal: 40 });
  await order(SHOP, { customerId: kim.id, at: "2026-02-14T20:00:00Z", subtotal: 60 }); // retained, returning
  await order(SHOP, { customerId: lee.id, at: "2025-01-20T20:00:00Z", subtotal: 30 }); // lost in Feb (window from 2025-02-01)
  await order(SHOP, { customerId: max.id, at: "2023-06-01T20:00:00Z", subtotal: 10 });
  await order(SHOP, { customerId: max.id, at: "2026-02-20T20:00:00Z", subtotal: 45, refunded: 5 }); // reactivated
  await order(SHOP, { customerId: noa.id, at: "2026-02-01T08:00:00.000Z", subtotal: 25 }); // new, exactly at local midnight
  await order(SHOP, { customerId: noa.id, at: "2026-03-01T08:00:00.000Z", subtotal: 99 }); // next period: local midnight of the 1st
  await order(SHOP, { customerId: null, at: "2026-02-05T20:00:00Z", subtotal: 20 }); // guest
  await order(SHOP, { customerId: kim.id, at: "2026-02-15T20:00:00Z", subtotal: 500, test: true });
  await order(SHOP, { customerId: lee.id, at: "2026-02-16T20:00:00Z", subtotal: 500, cancelled: true });
  await ledger(SHOP, kim.id, 60, "earn", "2026-02-14T20:01:00Z");
  await ledger(SHOP, noa.id, 25, "earn", "2026-02-01T08:01:00Z");
  await ledger(SHOP, kim.id, -50, "redeem", "2026-02-20T20:00:00Z");
  app = await startApp(url);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const kpis = (query: string, headers: Record<string, string> = adminHeaders()) =>
  fetch(`${app.url}/app/api/kpis?${query}`, { headers });

describe("GET /app/api/kpis", () => {
  it("returns the KPIs of docs/kpis.md with the issue's field names, matching the hand count", async () => {
    const response = await kpis("from=2026-02-01&to=2026-03-01");
    expect(response.status).toBe(200);
    const body = await response.json();
    for (const field of [
      "customersAtStart",
      "customersAtEnd",
      "newCustomers",
      "retainedCustomers",
      "reactivatedCustomers",
      "retentionRate",
      "churnRate",
      "repeatPurchaseRate",
      "returningCustomerRate",
      "orders",
      "revenue",
      "averageOrderValue",
      "purchaseFrequency",
      "customerLifetimeValue",
      "predictedClv",
      "program",
      "previous",
    ]) {
      expect(body, field).toHaveProperty(field);
    }
    // Active at 2026-02-01 ([2025-02-01, 2026-02-01) local): Kim (May 2025) → S = 1. Lee's Jan 2025 order is older.
    // Active at 2026-03-01: Kim, Max, Noa → E = 3. New: Noa (first order exactly at local midnight Feb 1).
    // Reactivated: Max (last order 2023). Retained: Kim. CRR = (3 − 1 − 1) / 1 = 1, churn 0.
    expect(body).toMatchObject({
      customersAtStart: 1,
      customersAtEnd: 3,
      newCustomers: 1,
      retainedCustomers: 1,
      reactivatedCustomers: 1,
      retentionRate: 1,
      churnRate: 0,
    });
    // Ever ordered before Mar 1: Kim, Lee, Max, Noa (4); ≥ 2 orders: Kim, Max → 0.5.
    // Ordered in Feb: Kim, Max, Noa; with > 1 order to date: Kim, Max → 2/3.
    expect(body.repeatPurchaseRate).toBeCloseTo(0.5, 12);
    expect(body.returningCustomerRate).toBeCloseTo(2 / 3, 12);
    // Orders: Kim 60, Max 45 − 5, Noa 25, guest 20 → 4 orders, 145.00, AOV 36.25; frequency 3 / 3.
    expect(body).toMatchObject({ orders: 4, revenue: 145, averageOrderValue: 36.25, purchaseFrequency: 1 });
    expect(body.predictedClv).toMatchObject({ model: "textbook", horizonMonths: 12 });
    expect(body.program).toMatchObject({
      pointsIssued: 85,
      pointsRedeemed: 50,
      pointsOutstanding: 35,
      members: 2,
      redeemers: 1,
      redeemerRate: 0.5,
    });
    expect(body.previous).toMatchObject({ from: "2026-01-04", to: "2026-02-01", orders: 0 });
    // Rates are fractions; money has at most two decimals.
    for (const rate of ["retentionRate", "churnRate", "repeatPurchaseRate", "returningCustomerRate"]) {
      expect(body[rate]).toBeGreaterThanOrEqual(0);
      expect(body[rate]).toBeLessThanOrEqual(1);
    }
    expect(Math.round(body.customerLifetimeValue * 100) / 100).toBe(body.customerLifetimeValue);
  });

  it("puts an order at local midnight of `to` in the next period", async () => {
    const march = await (await kpis("from=2026-03-01&to=2026-04-01")).json();
    expect(march).toMatchObject({ orders: 1, revenue: 99, newCustomers: 0 });
  });

  it.each([
    ["from=2026-02-01", /to is required/],
    ["to=2026-02-01", /from is required/],
    ["from=2026-2-1&to=2026-03-01", /from must be a date YYYY-MM-DD/],
    ["from=2026-02-30&to=2026-03-01", /from must be a date YYYY-MM-DD/],
    ["from=2026-03-01&to=2026-02-01", /to must be after from/],
    ["from=2026-03-01&to=2026-03-01", /to must be after from/],
    ["from=2000-01-01&to=2026-03-01", /at most ten years/],
  ])("answers 400 with the reason for %s", async (query, reason) => {
    const response = await kpis(query);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toMatch(reason);
  });

  it("refuses a session token not signed with the app's secret", async () => {
    const response = await kpis("from=2026-02-01&to=2026-03-01", {
      Authorization: `Bearer ${sessionToken(SHOP, { secret: "not-the-secret" })}`,
      "User-Agent": BROWSER_USER_AGENT,
    });
    expect(response.status).toBe(401);
  });

  it("never shows another shop's data: a token for a shop without orders sees zeros", async () => {
    const other = "other-shop.myshopify.com";
    await storeAdminSessions(other);
    const body = await (await kpis("from=2026-02-01&to=2026-03-01", adminHeaders(other))).json();
    expect(body).toMatchObject({ orders: 0, revenue: 0, customersAtEnd: 0, newCustomers: 0 });
  });

  it("answers null, never 0, for the rates and averages of a period with nothing to divide by", async () => {
    // January 2023, before the first order (Max, June 2023) and before anyone enrolled: nobody
    // active at the start, no orders, no points, no members — every denominator is 0.
    const body = await (await kpis("from=2023-01-01&to=2023-02-01")).json();
    expect(body).toMatchObject({ customersAtStart: 0, orders: 0 });
    for (const rate of [
      "retentionRate",
      "churnRate",
      "repeatPurchaseRate",
      "returningCustomerRate",
      "averageOrderValue",
      "purchaseFrequency",
      "customerLifetimeValue",
    ]) {
      expect(body[rate], rate).toBeNull();
    }
    expect(body.program).toMatchObject({
      redemptionRate: null,
      redeemerRate: null,
      memberAverageOrderValue: null,
      nonMemberAverageOrderValue: null,
    });
    expect(body.previous).toMatchObject({ retentionRate: null, churnRate: null, averageOrderValue: null });
  });
});
