// The dashboard in headless Chromium (Debian chromium + playwright-core) against the real built
// server and a seeded shop: it shows the same numbers as /app/api/kpis. Screenshot in
// test-results/dashboard/.
//
// Embedded auth in a plain browser: the admin loads an embedded page as
// `/app?embedded=1&shop=…&host=…&id_token=<session token>`. `authenticate.admin` verifies the
// token (HS256 with the app secret, aud = API key) and then loads the shop's offline session; only
// when none is stored does it exchange the token with Shopify. We store the offline (and an online)
// session up front (test/support/admin-session.ts), so no call leaves the machine. App Bridge's
// CDN script cannot load here and is blocked; its fetch wrapper is not needed because the range
// picker keeps the id_token in the URL for data requests. The library answers 410 to bot user
// agents such as "HeadlessChrome", so the browser presents a normal Chrome user agent.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { addDays, today } from "../../app/analytics/time";
import { adminBrowserContext, adminHeaders, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { onboardingFinished, onboardingPutAside } from "../support/onboarding";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";
import { simulateCohort } from "../analytics/simulate";

const SHOTS = path.resolve("test-results/dashboard");
const ZONE = "America/New_York";

let app: RunningApp;
const browser = useChromium();

/** Two years of a coffee shop: 600 customers from BG/NBD, guests, a few refunds, points for members. */
async function seed() {
  await db.shop.create({ data: { domain: SHOP, name: "Bean There", timezone: ZONE, currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  const now = Date.now();
  const week = 7 * 86_400_000;
  const cohort = simulateCohort(5, 600, { r: 0.6, alpha: 6, a: 0.7, b: 3 }, { p: 6, q: 4, v: 15 }, 1, 104);
  const names = ["Ava", "Ben", "Cleo", "Dev", "Eli", "Fern", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena"];
  const people = await db.customer.createManyAndReturn({
    data: cohort.map((c, i) => ({
      shop: SHOP,
      shopifyId: `7${i}`,
      firstName: names[i % names.length],
      lastName: `Regular${i}`,
      email: `c${i}@example.com`,
      enrolledAt: i % 3 === 0 ? null : new Date(now - c.T * week),
    })),
    select: { id: true, enrolledAt: true },
  });
  const orders = cohort.flatMap((c, i) => {
    const first = now - c.T * week;
    const value = Math.max(500, Math.round((c.x > 0 ? c.zbar : 28) * 100));
    return Array.from({ length: c.x + 1 }, (_, n) => ({
      shop: SHOP,
      shopifyId: `o${i}-${n}`,
      customerId: people[i].id,
      currency: "USD",
      processedAt: new Date(first + (c.x > 0 ? (c.t_x * week * n) / c.x : 0)),
      subtotalCents: value,
      totalCents: value + 500,
      refundedSubtotalCents: (i + n) % 29 === 0 ? Math.round(value / 2) : 0,
    }));
  });
  const guests = Array.from({ length: 150 }, (_, g) => ({
    shop: SHOP,
    shopifyId: `g${g}`,
    customerId: null,
    currency: "USD",
    processedAt: new Date(now - ((g * 37) % 700) * 86_400_000 - 3_600_000),
    subtotalCents: 3000 + (g % 7) * 500,
    totalCents: 3500,
  }));
  const saved = await db.order.createManyAndReturn({
    data: [...orders, ...guests],
    select: { id: true, customerId: true, subtotalCents: true, processedAt: true },
  });
  const members = new Set(people.filter((p) => p.enrolledAt).map((p) => p.id));
  await db.ledgerEntry.createMany({
    data: saved.flatMap((o, k) =>
      o.customerId && members.has(o.customerId)
        ? [
            {
              shop: SHOP,
              customerId: o.customerId,
              delta: Math.floor(o.subtotalCents / 100),
              kind: "earn",
              reason: "Order",
              orderId: o.id,
              idempotencyKey: `order:${o.id}:earn`,
              createdAt: o.processedAt,
            },
            ...(k % 6 === 0
              ? [
                  {
                    shop: SHOP,
                    customerId: o.customerId,
                    delta: -Math.min(20, Math.floor(o.subtotalCents / 100)),
                    kind: "redeem",
                    reason: "$2 off",
                    idempotencyKey: `redeem:${o.id}`,
                    createdAt: new Date(o.processedAt.getTime() + 60_000),
                  },
                ]
              : []),
          ]
        : [],
    ),
  });
  await db.reward.create({ data: { shop: SHOP, name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 } });
}

beforeAll(async () => {
  const url = await useFreshDatabase();
  await seed();
  await onboardingFinished(SHOP);
  await storeAdminSessions(SHOP);
  app = await startApp(url);
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

// The dashboard's formats for the "en" locale and USD.
const percent = new Intl.NumberFormat("en", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const money = new Intl.NumberFormat("en", { style: "currency", currency: "USD" });
const number = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const FORMATS: Record<string, (v: number) => string> = {
  retentionRate: percent.format,
  churnRate: percent.format,
  repeatPurchaseRate: percent.format,
  returningCustomerRate: percent.format,
  newCustomers: number.format,
  reactivatedCustomers: number.format,
  customersAtEnd: number.format,
  orders: number.format,
  revenue: money.format,
  averageOrderValue: money.format,
  purchaseFrequency: decimal.format,
  customerLifetimeValue: money.format,
};

describe("the dashboard in Chromium", () => {
  it("shows the same numbers as /app/api/kpis for the last 90 days", async () => {
    const to = addDays(today(ZONE), 1);
    const from = addDays(to, -90);
    const api = await (await fetch(`${app.url}/app/api/kpis?from=${from}&to=${to}`, { headers: adminHeaders() })).json();
    expect(api.orders).toBeGreaterThan(50); // a history worth looking at

    const context = await adminBrowserContext(browser(), { viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    const started = Date.now();
    const response = await page.goto(embeddedUrl(app.url, "/app", SHOP, { from, to }));
    expect(response?.status(), app.logs().slice(-2000)).toBe(200);
    await page.waitForSelector('[data-kpi="orders"]');
    const loadedMs = Date.now() - started;

    for (const [key, format] of Object.entries(FORMATS)) {
      const shown = (await page.textContent(`[data-kpi="${key}"]`))?.trim();
      expect(shown, key).toBe(format(api[key]));
    }
    expect((await page.textContent('[data-kpi="predictedClv"]'))?.trim()).toBe(money.format(api.predictedClv.average));
    // Segment tiles link to the customer list filtered by segment, and add up to the customers modelled.
    const links = await page.$$eval('a[href*="/app/customers?segment="]', (as) => as.map((a) => a.getAttribute("href")));
    expect(links).toHaveLength(8);
    const counts = await page.$$eval("[data-segment]", (els) => els.map((e) => Number(e.textContent!.replace(/,/g, ""))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(api.predictedClv.customers);
    // Charts draw after hydration.
    await page.waitForSelector("svg", { timeout: 10_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, "dashboard.png"), fullPage: true });
    expect(errors).toEqual([]);
    console.log(`dashboard: first KPI visible ${loadedMs} ms after navigation`);
    await context.close();
  });

  it("changes the period from the range picker's presets", async () => {
    const context = await adminBrowserContext(browser(), { viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(embeddedUrl(app.url, "/app"));
    await page.waitForSelector('[data-kpi="orders"]');
    await page.getByRole("button", { name: /Last 30 days/ }).click();
    await page.getByText("Last 365 days", { exact: true }).click();
    await page.waitForURL(/from=/, { timeout: 10_000 });
    await page.getByRole("button", { name: /^Last 365 days ·/ }).waitFor({ timeout: 10_000 });
    const url = new URL(page.url());
    const api = await (
      await fetch(`${app.url}/app/api/kpis?from=${url.searchParams.get("from")}&to=${url.searchParams.get("to")}`, {
        headers: adminHeaders(),
      })
    ).json();
    expect((await page.textContent('[data-kpi="orders"]'))?.trim()).toBe(number.format(api.orders));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-365d.png") });
    await context.close();
  });

  it("shows — and the reason, not 0%, for retention and churn in a shop's first period", async () => {
    // One customer whose first order is in the period: nobody was active at its start (S = 0).
    const shop = "first-period.myshopify.com";
    await db.shop.create({ data: { domain: shop, timezone: ZONE, currency: "USD" } });
    await db.programSettings.create({ data: { shop } });
    await onboardingFinished(shop);
    const buyer = await db.customer.create({ data: { shop, shopifyId: "801", firstName: "Ona" } });
    const at = new Date(Date.now() - 3 * 86_400_000);
    await db.order.create({
      data: {
        shop,
        shopifyId: "9801",
        customerId: buyer.id,
        currency: "USD",
        processedAt: at,
        subtotalCents: 4000,
        totalCents: 4000,
      },
    });
    await storeAdminSessions(shop);
    const to = addDays(today(ZONE), 1);
    const from = addDays(to, -30);
    const api = await (await fetch(`${app.url}/app/api/kpis?from=${from}&to=${to}`, { headers: adminHeaders(shop) })).json();
    expect(api).toMatchObject({ customersAtStart: 0, retentionRate: null, churnRate: null, orders: 1 });

    const context = await adminBrowserContext(browser());
    const page = await context.newPage();
    await page.goto(embeddedUrl(app.url, "/app", shop, { from, to }));
    await page.waitForSelector('[data-kpi="orders"]');
    for (const key of ["retentionRate", "churnRate"]) {
      expect((await page.textContent(`[data-kpi="${key}"]`))?.trim(), key).toBe("—");
      expect((await page.textContent(`[data-undefined-reason="${key}"]`))?.trim()).toBe(
        "No customers were active at the start of this period",
      );
    }
    // Defined figures still show as numbers: one order of 40.00.
    expect((await page.textContent('[data-kpi="averageOrderValue"]'))?.trim()).toBe(money.format(40));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-first-period.png") });
    await context.close();
  });

  it("explains itself to a brand-new shop", async () => {
    const shop = "brand-new-shop.myshopify.com";
    await storeAdminSessions(shop);
    await onboardingPutAside(shop);
    await db.backfillJob.create({ data: { shop, status: "importing", linesDone: 1200, linesTotal: 5000 } });
    const context = await adminBrowserContext(browser());
    const page = await context.newPage();
    await page.goto(embeddedUrl(app.url, "/app", shop));
    await page.getByText("Importing your order history").waitFor();
    await page.getByText("Your retention dashboard fills in with your first orders").waitFor();
    expect(await page.textContent("body")).toContain("1,200 of 5,000 records");
    // The owner put the onboarding aside: the dashboard offers to resume it.
    expect(await page.locator("[data-resume-onboarding]").textContent()).toContain("0 of 3 setup steps done");
    await page.screenshot({ path: path.join(SHOTS, "dashboard-empty.png") });
    await context.close();
  });
});
