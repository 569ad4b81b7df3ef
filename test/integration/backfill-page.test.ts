// The order-history import page in Chromium: progress, ETA and the owner's choice, as a merchant
// sees them. The job rows are written directly and leased so the server's runner leaves them be
// (the import itself is tested in test/backfill/). Screenshots in test-results/backfill/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { adminBrowserContext, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/backfill");
const DONE_SHOP = "imported-shop.myshopify.com";
let app: RunningApp;
const browser = useChromium();

beforeAll(async () => {
  const url = await useFreshDatabase();
  const leased = new Date(Date.now() + 3600_000);
  for (const shop of [SHOP, DONE_SHOP]) {
    await db.shop.create({ data: { domain: shop, currency: "USD" } });
    await db.programSettings.create({ data: { shop } });
    await storeAdminSessions(shop);
  }
  await db.backfillJob.create({
    data: {
      shop: SHOP,
      status: "importing",
      phase: "orders",
      linesDone: 1200,
      linesTotal: 5000,
      importStartedAt: new Date(Date.now() - 60_000),
      lockedUntil: leased,
    },
  });
  await db.backfillJob.create({
    data: {
      shop: DONE_SHOP,
      status: "done",
      phase: "customers",
      linesDone: 5000,
      linesTotal: 5000,
      finishedAt: new Date(),
      lockedUntil: leased,
    },
  });
  app = await startApp(url);
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function open(shop: string) {
  const context = await adminBrowserContext(browser());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const response = await page.goto(embeddedUrl(app.url, "/app/backfill", shop));
  expect(response?.status(), app.logs().slice(-2000)).toBe(200);
  return { page, errors, context };
}

it("shows an import in progress with rows done, the total and a progress bar", async () => {
  const { page, errors, context } = await open(SHOP);
  const text = await page.textContent("body");
  expect(text).toContain("1,200");
  expect(text).toContain("5,000");
  expect(text).toMatch(/Importing/);
  expect(await page.$('[role="progressbar"], progress, .Polaris-ProgressBar')).not.toBeNull();
  await page.screenshot({ path: path.join(SHOTS, "importing.png"), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});

it("offers to credit past purchases once the import has finished", async () => {
  const { page, errors, context } = await open(DONE_SHOP);
  expect(await page.textContent("body")).toMatch(/Finished/);
  const credit = page.getByRole("button", { name: "Credit past purchases" });
  expect(await credit.count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, "done.png"), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});
