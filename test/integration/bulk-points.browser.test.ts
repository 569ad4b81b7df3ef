// Bulk points from the admin, end to end: the built server, a real database and headless Chromium.
// The Customers page's "Adjust points in bulk" applies to the list as filtered (a double submit
// adjusts once); the Import points page takes a CSV, shows what went in, and offers the problems
// report. Screenshots in test-results/bulk-points/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import {
  adminHeaders,
  embeddedAdminContext,
  embeddedUrl,
  remixHydrated,
  shotOnFailure,
  storeAdminSessions,
} from "../support/admin-session";
import { useChromium } from "../support/browser";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";
import { parseCsv } from "../support/csv";

const OTHER_SHOP = "bulk-someone-else.myshopify.com";
const SHOTS = path.resolve("test-results/bulk-points");
let app: RunningApp;
const browser = useChromium();

beforeAll(async () => {
  const url = await useFreshDatabase();
  for (const domain of [SHOP, OTHER_SHOP]) {
    await db.shop.create({ data: { domain, name: "Bean There", timezone: "UTC", currency: "USD" } });
    await db.programSettings.create({ data: { shop: domain } });
  }
  const people = [
    ["201", "Vera", "vip-vera@example.com", 40],
    ["202", "Victor", "vip-victor@example.com", 0],
    ["203", "Paula", "paula@example.com", 300],
    ["204", "Ivo", "ivo@example.com", 0],
  ] as const;
  for (const [shopifyId, firstName, email, points] of people) {
    const c = await db.customer.create({ data: { shop: SHOP, shopifyId, firstName, lastName: "Bean", email } });
    if (points)
      await db.$transaction((tx) =>
        appendEntry(tx, {
          shop: SHOP,
          customerId: c.id,
          delta: points,
          kind: "earn",
          reason: "Order",
          idempotencyKey: `seed:${c.id}`,
        }),
      );
  }
  await db.customer.create({ data: { shop: OTHER_SHOP, shopifyId: "201", firstName: "Vera", email: "vip-vera@example.com" } });
  await storeAdminSessions(SHOP);
  app = await startApp(url);
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const embeddedContext = async () => {
  const context = await embeddedAdminContext(browser(), app.url, SHOP, { viewport: { width: 1300, height: 1000 } });
  context.setDefaultTimeout(15000);
  return context;
};

describe("refusing bad input", () => {
  async function post(pathAndQuery: string, body: BodyInit) {
    const response = await fetch(new URL(pathAndQuery, app.url), { method: "POST", headers: adminHeaders(SHOP), body });
    return { status: response.status, text: await response.text() };
  }

  it("answers 400 with the reason, and changes no balance, for a bad bulk adjustment or import file", async () => {
    const before = await db.ledgerEntry.count();
    const bulk = new URLSearchParams({ intent: "bulk-adjust", delta: "lots", reason: "x", nonce: "nonce-bad-input-1", q: "" });
    expect(await post("/app/customers?index&_data=routes%2Fapp.customers._index", bulk)).toMatchObject({
      status: 400,
      text: expect.stringContaining("whole number"),
    });
    const noPoints = new FormData();
    noPoints.set("file", new Blob(["email,tier\r\nivo@example.com,Gold\r\n"], { type: "text/csv" }), "tiers.csv");
    expect(await post("/app/customers/import.ndjson", noPoints)).toMatchObject({
      status: 400,
      text: expect.stringContaining("No points column"),
    });
    expect(await post("/app/customers/import.ndjson", new URLSearchParams({ file: "email,points" }))).toMatchObject({
      status: 400,
    });
    const unclosed = new FormData();
    unclosed.set("file", new Blob(['"email,points\r\n'], { type: "text/csv" }), "broken.csv");
    expect(await post("/app/customers/import.ndjson", unclosed)).toMatchObject({
      status: 400,
      text: expect.stringContaining("never closed"),
    });
    expect(await db.ledgerEntry.count()).toBe(before);
    expect(app.logs()).toMatch(/points import refused/);
  });
});

describe("bulk points in Chromium", () => {
  it("adds points to every customer the search shows, once for a double submit", async () => {
    const context = await embeddedContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const response = await page.goto(embeddedUrl(app.url, "/app/customers", SHOP, { q: "vip" }));
    expect(response?.status(), app.logs().slice(-2000)).toBe(200);
    await shotOnFailure(page, SHOTS, "bulk", async () => {
      await page.waitForSelector("[data-customer-row]");
      await remixHydrated(page);
      expect(await page.locator("[data-customer-row]").count()).toBe(2);
      await page.getByRole("button", { name: "Adjust points in bulk" }).click();
      await page.getByLabel("Points", { exact: true }).fill("-50");
      await page.getByLabel("Reason").fill("Promo ended");
      await page.$eval("form[data-bulk-adjust]", (form: HTMLFormElement) => {
        form.requestSubmit();
        form.requestSubmit();
      });
      await page.waitForSelector("[data-bulk-result]");
      const summary = await page.locator("[data-bulk-result]").textContent();
      // Vera had 40 (gives 40, 10 short); Victor had none (skipped).
      expect(summary).toMatch(/2 matched/);
      expect(summary).toMatch(/1 skipped: no points to remove/);
      expect(summary).toMatch(/10 points short/);
      await page.screenshot({ path: path.join(SHOTS, "bulk-adjust.png"), fullPage: true });
    });
    expect(await pointsOf("201")).toBe(0);
    expect(await pointsOf("202")).toBe(0);
    expect(await pointsOf("203")).toBe(300); // not in the search
    expect(await db.ledgerEntry.count({ where: { shop: SHOP, reason: "Promo ended" } })).toBe(1);
    expect(await db.ledgerEntry.count({ where: { shop: OTHER_SHOP } })).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("imports a CSV of starting balances, shows the counts and offers the problems report", async () => {
    const file = path.join(SHOTS, "smile-export.csv");
    writeFileSync(file, "email,points\r\nparula@nowhere.example,5\r\nIVO@example.com,250\r\npaula@example.com,twelve\r\n");
    const context = await embeddedContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(embeddedUrl(app.url, "/app/customers/import"));
    await shotOnFailure(page, SHOTS, "import", async () => {
      await remixHydrated(page);
      await page.locator("input[type=file]").setInputFiles(file);
      await page.getByText("Imported smile-export.csv").waitFor();
      expect(await page.locator("[data-import-result]").textContent()).toMatch(
        /3 rows read: 1 customer given 250 points, 2 not imported \(1 unknown customers\)/,
      );
      await page.screenshot({ path: path.join(SHOTS, "import.png"), fullPage: true });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: /problems report/ }).click(),
      ]);
      const report = parseCsv(readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, ""));
      expect(report.map((r) => r[0])).toEqual(["Line", "2", "4"]);
      expect(report[2][1]).toMatch(/whole number/);
    });
    expect(await pointsOf("204")).toBe(250);
    // The same file again: nothing changes.
    await page.locator("input[type=file]").setInputFiles(file);
    await page.getByText(/1 already imported from this file/).waitFor();
    expect(await pointsOf("204")).toBe(250);
    expect(errors).toEqual([]);
    await context.close();
  });
});
