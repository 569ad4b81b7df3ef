// Customers in the admin against the real built server and a real database: the list, search and
// segment filter, the CSV export (the same rows as the list), the member page and its "Adjust
// points" form action, cross-shop isolation, and the pages in headless Chromium (screenshots in
// test-results/customers/).
//
// Requests are made as the embedded admin makes them (test/support/admin-session.ts): data
// requests with `Authorization: Bearer <session token>`, document loads with `id_token` in the URL.
// In Chromium, App Bridge (its CDN script cannot load here) is stood in for by adding the session
// token header to the page's own requests, which is what App Bridge's fetch does in the admin.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntries, appendEntry } from "../../app/loyalty/ledger.server";
import {
  adminHeaders,
  BROWSER_USER_AGENT,
  embeddedAdminContext,
  embeddedUrl,
  remixHydrated,
  shotOnFailure,
  storeAdminSessions,
} from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";
import { simulateCohort } from "../analytics/simulate";
import { parseCsv } from "../support/csv";

const OTHER_SHOP = "someone-else.myshopify.com";
const SHOTS = path.resolve("test-results/customers");
const LIST = "routes/app.customers._index";
const MEMBER = "routes/app.customers.$id";

let app: RunningApp;
const browser = useChromium();
let customers = 0;

/** A coffee shop: 400 customers from BG/NBD over two years, points for members, a few named people. */
async function seed() {
  await db.shop.create({ data: { domain: SHOP, name: "Bean There", timezone: "America/New_York", currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  const now = Date.now();
  const week = 7 * 86_400_000;
  const cohort = simulateCohort(7, 400, { r: 0.6, alpha: 6, a: 0.7, b: 3 }, { p: 6, q: 4, v: 15 }, 1, 104);
  const first = ["Ava", "Ben", "Cleo", "Dev", "Eli", "Fern", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Mina", "Noor"];
  const last = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Reyes", "Brennan"];
  const people = await db.customer.createManyAndReturn({
    data: cohort.map((c, i) => ({
      shop: SHOP,
      shopifyId: String(7_000_000 + i),
      firstName: first[i % first.length],
      lastName: last[(i * 7) % last.length],
      email: `${first[i % first.length].toLowerCase()}.${i}@example.com`,
      enrolledAt: new Date(now - c.T * week),
    })),
    select: { id: true },
  });
  const orders = cohort.flatMap((c, i) => {
    const start = now - c.T * week;
    const value = Math.max(500, Math.round((c.x > 0 ? c.zbar : 28) * 100));
    return Array.from({ length: c.x + 1 }, (_, n) => ({
      shop: SHOP,
      shopifyId: `o${i}-${n}`,
      name: `#${1000 + i * 10 + n}`,
      customerId: people[i].id,
      currency: "USD",
      processedAt: new Date(start + (c.x > 0 ? (c.t_x * week * n) / c.x : 0)),
      subtotalCents: value,
      totalCents: value + 500,
      refundedSubtotalCents: (i + n) % 23 === 0 ? Math.round(value / 2) : 0,
    }));
  });
  const saved = await db.order.createManyAndReturn({
    data: orders,
    select: { id: true, customerId: true, subtotalCents: true, processedAt: true, refundedSubtotalCents: true },
  });
  // One batched append: a row-at-a-time loop of ~2,000 inserts outlived the 5 s transaction on a slow CI box.
  await db.$transaction((tx) =>
    appendEntries(
      tx,
      saved.flatMap((o) => {
        const earned = Math.floor(o.subtotalCents / 100);
        const earn = {
          shop: SHOP,
          customerId: o.customerId!,
          delta: earned,
          kind: "earn" as const,
          reason: `Order`,
          orderId: o.id,
          idempotencyKey: `order:${o.id}:earn`,
        };
        if (!o.refundedSubtotalCents) return [earn];
        return [
          earn,
          {
            shop: SHOP,
            customerId: o.customerId!,
            delta: -Math.floor(earned / 2),
            kind: "refund" as const,
            reason: "Refund",
            orderId: o.id,
            idempotencyKey: `refund:${o.id}`,
          },
        ];
      }),
    ),
  );
  // Named people to look for, one whose name is a spreadsheet formula, one erased on request.
  const extra = await db.customer.createManyAndReturn({
    data: [
      { shop: SHOP, shopifyId: "555", firstName: "Zoë", lastName: "Quinn-Ashford", email: "zoe@quinn.example" },
      { shop: SHOP, shopifyId: "556", firstName: "=cmd|' /C calc'!A0", lastName: null, email: "+attack@example.com" },
      { shop: SHOP, shopifyId: "557", firstName: null, lastName: null, email: null, redactedAt: new Date() },
      { shop: OTHER_SHOP, shopifyId: "999", firstName: "Olga", lastName: "Otherstore", email: "olga@other.example" },
    ],
    select: { id: true, shopifyId: true, shop: true },
  });
  const zoe = extra[0].id;
  const zOrder = await db.order.create({
    data: {
      shop: SHOP,
      shopifyId: "z1",
      name: "#5551",
      customerId: zoe,
      currency: "USD",
      processedAt: new Date(now - 3 * 86_400_000),
      subtotalCents: 12000,
      totalCents: 12500,
      refundedSubtotalCents: 3000,
    },
  });
  const zCancelled = await db.order.create({
    data: {
      shop: SHOP,
      shopifyId: "z2",
      name: "#5552",
      customerId: zoe,
      currency: "USD",
      processedAt: new Date(now - 2 * 86_400_000),
      subtotalCents: 4000,
      totalCents: 4500,
      cancelledAt: new Date(now - 86_400_000),
    },
  });
  await db.$transaction(async (tx) => {
    await appendEntry(tx, {
      shop: SHOP,
      customerId: zoe,
      delta: 120,
      kind: "earn",
      reason: "Order #5551",
      orderId: zOrder.id,
      idempotencyKey: "z:earn",
    });
    await appendEntry(tx, {
      shop: SHOP,
      customerId: zoe,
      delta: -30,
      kind: "refund",
      reason: "Refund on order #5551",
      orderId: zOrder.id,
      idempotencyKey: "z:refund",
    });
    await appendEntry(tx, {
      shop: SHOP,
      customerId: zoe,
      delta: 40,
      kind: "earn",
      reason: "Order #5552",
      orderId: zCancelled.id,
      idempotencyKey: "z2:earn",
    });
    await appendEntry(tx, {
      shop: SHOP,
      customerId: zoe,
      delta: -40,
      kind: "cancel",
      reason: "Order #5552 cancelled",
      orderId: zCancelled.id,
      idempotencyKey: "z2:cancel",
    });
    for (let k = 0; k < 30; k++) {
      await appendEntry(tx, {
        shop: SHOP,
        customerId: zoe,
        delta: 5,
        kind: "bonus",
        reason: `Weekly check-in ${k + 1}`,
        idempotencyKey: `z:bonus:${k}`,
      });
    }
    await appendEntry(tx, {
      shop: OTHER_SHOP,
      customerId: extra[3].id,
      delta: 700,
      kind: "earn",
      reason: "Order",
      idempotencyKey: "olga",
    });
  });
  customers = cohort.length + 3;
}

beforeAll(async () => {
  const url = await useFreshDatabase();
  await seed();
  await storeAdminSessions(SHOP);
  await storeAdminSessions(OTHER_SHOP);
  app = await startApp(url);
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function data(pathAndQuery: string, route: string, shop = SHOP) {
  const url = new URL(pathAndQuery, app.url);
  url.searchParams.set("_data", route);
  const response = await fetch(url, { headers: adminHeaders(shop) });
  return { status: response.status, body: response.status < 300 ? await response.json() : await response.text() };
}

type ListRow = {
  id: number;
  shopifyId: string;
  name: string;
  email: string | null;
  points: number;
  orders: number;
  spentCents: number;
  segment: string | null;
};

/** Every row of the list as the page shows it, following the Next cursor. */
async function listAll(query: string): Promise<ListRow[]> {
  const rows: ListRow[] = [];
  let after: number | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const { status, body } = await data(`/app/customers?${query}${after ? `&after=${after}` : ""}`, LIST);
    expect(status).toBe(200);
    rows.push(...body.page.rows);
    if (body.page.nextCursor === null) return rows;
    after = body.page.nextCursor;
  }
  throw new Error("no end");
}

async function adjust(shopifyId: string, fields: Record<string, string>, shop = SHOP) {
  const url = new URL(`/app/customers/${shopifyId}`, app.url);
  url.searchParams.set("_data", MEMBER);
  const response = await fetch(url, {
    method: "POST",
    headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intent: "adjust", ...fields }),
  });
  return {
    status: response.status,
    body: response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text(),
  };
}

describe("the customer list", () => {
  it("shows the shop's customers 50 a page, with a cursor to the next page", async () => {
    const { status, body } = await data("/app/customers", LIST);
    expect(status, app.logs().slice(-2000)).toBe(200);
    expect(body.total).toBe(customers);
    expect(body.page.rows).toHaveLength(50);
    expect(body.page.nextCursor).toBe(body.page.rows[49].id);
    const all = await listAll("");
    expect(all).toHaveLength(customers);
    expect(new Set(all.map((r) => r.id)).size).toBe(customers);
    expect(all.some((r) => r.shopifyId === "999")).toBe(false); // another shop's customer
    expect(all.find((r) => r.shopifyId === "557")).toMatchObject({ name: "Redacted customer", email: null });
  });

  it("searches by name, email and Shopify id on the server", async () => {
    expect((await listAll("q=quinn-ash")).map((r) => r.shopifyId)).toEqual(["555"]);
    expect((await listAll("q=ZOE%40QUINN")).map((r) => r.shopifyId)).toEqual(["555"]);
    expect((await listAll("q=7000042")).map((r) => r.shopifyId)).toEqual(["7000042"]);
    expect((await listAll("q=olga")).length).toBe(0);
    const avas = await listAll("q=ava");
    expect(avas.length).toBeGreaterThan(10);
    expect(avas.every((r) => /ava/i.test(`${r.name} ${r.email}`))).toBe(true);
  });

  it("filters by the dashboard's segment links, and the segments add up to the customers with orders", async () => {
    let sum = 0;
    for (const segment of ["champions", "loyal", "new", "potential_loyalists", "cant_lose", "at_risk", "hibernating", "lost"]) {
      const { body } = await data(`/app/customers?segment=${segment}`, LIST);
      expect(body.filter.segment).toBe(segment);
      expect(body.page.rows.every((r: ListRow) => r.segment === segment)).toBe(true);
      sum += body.total;
    }
    expect(sum).toBe(400 + 1); // every cohort customer and Zoë have counted orders
  });

  it("exports exactly the filtered list as CSV, quoted and formula-safe", async () => {
    for (const query of ["", "segment=champions", "atRisk=1", "q=ava"]) {
      const response = await fetch(`${app.url}/app/customers/export?${query}`, { headers: adminHeaders() });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="customers-[\w-]*\d{4}-\d\d-\d\d\.csv"/);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel reads UTF-8
      const rows = parseCsv(new TextDecoder().decode(bytes));
      expect(rows[0]).toEqual([
        "Shopify customer ID",
        "Name",
        "Email",
        "Points",
        "Tier",
        "Orders",
        "Spent",
        "Currency",
        "Last order",
        "Segment",
      ]);
      const listed = await listAll(query);
      expect(
        rows.slice(1).map((r) => r[0]),
        query,
      ).toEqual(listed.map((r) => r.shopifyId));
      expect(rows.slice(1).map((r) => Number(r[3]))).toEqual(listed.map((r) => r.points));
      expect(rows.slice(1).map((r) => r[6])).toEqual(listed.map((r) => (r.spentCents / 100).toFixed(2)));
      if (query === "atRisk=1") expect(listed.length).toBeGreaterThan(0);
    }
    const all = parseCsv(await (await fetch(`${app.url}/app/customers/export`, { headers: adminHeaders() })).text());
    const attacker = all.find((r) => r[0] === "556")!;
    expect(attacker[1]).toBe("'=cmd|' /C calc'!A0");
    expect(attacker[2]).toBe("'+attack@example.com");
    expect(all.find((r) => r[0] === "555")![1]).toBe("Zoë Quinn-Ashford");
  });

  it("needs an admin session", async () => {
    expect(
      (
        await fetch(`${app.url}/app/customers/export`, {
          headers: { "User-Agent": BROWSER_USER_AGENT, Authorization: "Bearer nope" },
        })
      ).status,
    ).toBe(401);
  });
});

describe("a member", () => {
  it("shows profile, balance checked against the ledger, orders with points, and the history a page at a time", async () => {
    const { status, body } = await data("/app/customers/555", MEMBER);
    expect(status).toBe(200);
    const { member, history } = body;
    expect(member).toMatchObject({
      name: "Zoë Quinn-Ashford",
      email: "zoe@quinn.example",
      balance: { cached: 240, ledger: 240, consistent: true },
    });
    expect(
      member.orders.shown.map((o: { name: string; pointsEarned: number; pointsTakenBack: number }) => [
        o.name,
        o.pointsEarned,
        o.pointsTakenBack,
      ]),
    ).toEqual([
      ["#5552", 40, -40],
      ["#5551", 120, -30],
    ]);
    expect(history.entries).toHaveLength(25);
    expect(history.entries[0].balanceAfter).toBe(240);
    const older = (await data(`/app/customers/555?historyAfter=${history.nextCursor}`, MEMBER)).body.history;
    expect(older.entries).toHaveLength(34 - 25);
    expect(older.entries.at(-1)).toMatchObject({ kind: "earn", delta: 120, balanceAfter: 120 });
    const redacted = (await data("/app/customers/557", MEMBER)).body.member;
    expect(redacted).toMatchObject({ name: "Redacted customer", email: null, redacted: true });
  });

  it("exports the full history as CSV", async () => {
    const response = await fetch(`${app.url}/app/customers/555/history.csv`, { headers: adminHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain('filename="points-history-555.csv"');
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(["Date", "Kind", "Points", "Balance after", "Reason", "Order", "Not taken (balance floor)", "By"]);
    expect(rows).toHaveLength(1 + 34);
    expect(rows.slice(1).reduce((sum, r) => sum + Number(r[2]), 0)).toBe(240);
    expect(rows.at(-1)!.slice(1, 6)).toEqual(["earn", "120", "120", "Order #5551", "#5551"]);
    expect(rows[1][2]).toBe("5"); // newest first
  });

  it("adjusts points through the form action, once per form nonce, with the staff user recorded", async () => {
    const nonce = "form-nonce-0001";
    const first = await adjust("555", { delta: "60", reason: "Sorry about the late parcel", nonce });
    expect(first).toEqual({ status: 200, body: { ok: true, applied: true, delta: 60, balance: 300 } });
    const again = await adjust("555", { delta: "60", reason: "Sorry about the late parcel", nonce });
    expect(again.body).toMatchObject({ ok: true, applied: false });
    expect(await pointsOf("555")).toBe(300);
    const rows = await db.ledgerEntry.findMany({ where: { shop: SHOP, kind: "adjust" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ delta: 60, reason: "Sorry about the late parcel", actor: "Owner Test <owner@example.com>" });
    // Shown in the history with who did it.
    const { history } = (await data("/app/customers/555", MEMBER)).body;
    expect(history.entries[0]).toMatchObject({
      kind: "adjust",
      delta: 60,
      balanceAfter: 300,
      actor: "Owner Test <owner@example.com>",
    });
  });

  it("refuses to take the balance below zero, and explains the form's mistakes", async () => {
    const tooMuch = await adjust("555", { delta: "-301", reason: "Fraud", nonce: "form-nonce-0002" });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body).toMatchObject({ ok: false, field: "delta" });
    expect(tooMuch.body.error).toMatch(/balance is 300 points/);
    expect((await adjust("555", { delta: "10", reason: "", nonce: "form-nonce-0003" })).body).toMatchObject({
      ok: false,
      field: "reason",
    });
    expect((await adjust("555", { delta: "ten", reason: "x", nonce: "form-nonce-0004" })).body).toMatchObject({
      ok: false,
      field: "delta",
    });
    expect(await pointsOf("555")).toBe(300);
    expect((await adjust("555", { delta: "-300", reason: "Closing the account", nonce: "form-nonce-0005" })).body).toMatchObject({
      ok: true,
      balance: 0,
    });
    expect(await pointsOf("555")).toBe(0);
  });

  it("does not exist for another shop: page, data, history export and adjustments are 404", async () => {
    expect((await data("/app/customers/999", MEMBER)).status).toBe(404);
    expect((await data("/app/customers/555", MEMBER, OTHER_SHOP)).status).toBe(404);
    expect((await fetch(`${app.url}/app/customers/999/history.csv`, { headers: adminHeaders() })).status).toBe(404);
    expect((await adjust("999", { delta: "100", reason: "x", nonce: "form-nonce-0006" })).status).toBe(404);
    expect(await pointsOf("999", OTHER_SHOP)).toBe(700);
    const page = await fetch(embeddedUrl(app.url, "/app/customers/999"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("Customer not found");
    // The other shop sees its own customer, and only that one.
    const theirs = await data("/app/customers", LIST, OTHER_SHOP);
    expect(theirs.body.page.rows.map((r: ListRow) => r.shopifyId)).toEqual(["999"]);
  });
});

describe("in Chromium", () => {
  const embeddedContext = async () => {
    const context = await embeddedAdminContext(browser(), app.url, SHOP, { viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(10000);
    return context;
  };

  it("lists, searches, exports and opens a customer", async () => {
    const context = await embeddedContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const response = await page.goto(embeddedUrl(app.url, "/app/customers"));
    expect(response?.status(), app.logs().slice(-2000)).toBe(200);
    await page.waitForSelector("[data-customer-row]");
    await remixHydrated(page);
    expect(await page.locator("[data-customer-row]").count()).toBe(50);
    // Tall enough for all 50 rows, so the sticky pagination bar sits below them in the picture.
    await page.setViewportSize({ width: 1400, height: 2000 });
    await page.screenshot({ path: path.join(SHOTS, "list.png"), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 1000 });

    // The search field is behind the magnifier button of Polaris' IndexFilters.
    await page.getByRole("button", { name: /search and filter/i }).click();
    await page.getByPlaceholder("Search by name, email or Shopify customer ID").fill("quinn");
    await page.waitForURL(/q=quinn/);
    await page.waitForFunction(() => document.querySelectorAll("[data-customer-row]").length === 1);
    expect(await page.getAttribute("[data-customer-row]", "data-customer-row")).toBe("555");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customers-\d{4}-\d\d-\d\d\.csv$/);
    const csv = parseCsv(readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, ""));
    expect(csv.slice(1).map((r) => r[0])).toEqual(["555"]);

    await page.locator('[data-customer-row="555"]').click();
    await page.waitForURL(/\/app\/customers\/555/);
    await page.waitForSelector("[data-balance]");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a segment from the dashboard's tiles", async () => {
    const context = await embeddedContext();
    const page = await context.newPage();
    await page.goto(embeddedUrl(app.url, "/app/customers", SHOP, { segment: "champions" }));
    await shotOnFailure(page, SHOTS, "segment", async () => {
      await page.waitForSelector("[data-customer-row]");
      await remixHydrated(page);
      await page.getByText("Segment: Champions").waitFor();
      await page.screenshot({ path: path.join(SHOTS, "list-champions.png") });
    });
    await context.close();
  });

  it("adjusts points from the member page, and a double submit adjusts once", async () => {
    const before = await pointsOf("555");
    const context = await embeddedContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(embeddedUrl(app.url, "/app/customers/555"));
    await shotOnFailure(page, SHOTS, "member", async () => {
      await page.waitForSelector("[data-balance]");
      await remixHydrated(page);
      await page.getByLabel("Points", { exact: true }).fill("25");
      await page.getByLabel("Reason").fill("Thanks for the review");
      // The same form sent twice before the first answer (a double click that got through).
      await page.$eval("form[data-adjust-form]", (form: HTMLFormElement) => {
        form.requestSubmit();
        form.requestSubmit();
      });
      await page.waitForSelector("[data-adjust-result]");
      await page.waitForFunction((n) => document.querySelector("[data-balance]")?.textContent === String(n), before + 25);
      expect(await pointsOf("555")).toBe(before + 25);
      expect(await db.ledgerEntry.count({ where: { shop: SHOP, reason: "Thanks for the review" } })).toBe(1);
      // Too much: a clear error, nothing changes.
      await page.getByLabel("Points", { exact: true }).fill(String(-(before + 26)));
      await page.getByLabel("Reason").fill("Oops");
      await page.getByRole("button", { name: "Adjust points" }).click();
      await page.getByText(/would take it below zero/).waitFor();
      expect(await pointsOf("555")).toBe(before + 25);
      await page.screenshot({ path: path.join(SHOTS, "member.png"), fullPage: true });
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows another shop's customer as not found", async () => {
    const context = await embeddedContext();
    const page = await context.newPage();
    const response = await page.goto(embeddedUrl(app.url, "/app/customers/999"));
    expect(response?.status()).toBe(404);
    await page.getByText("This customer isn’t in Regulars").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "not-found.png") });
    await context.close();
  });
});
