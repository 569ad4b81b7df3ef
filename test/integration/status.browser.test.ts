// The admin's Status page in Chromium against the real built server: every figure it shows is
// the database's (pending events and their age, retries, dead events, the last reconciliation,
// the history import). Rows are written directly, with their next attempt far off and the import
// leased, so the server's own background work leaves them as they are. Screenshot in
// test-results/status/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { adminBrowserContext, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { launchChromium } from "../support/browser";
import { useFreshDatabase } from "../support/database";
import { startApp, type RunningApp } from "../support/server";
import { SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/status");
const OTHER_SHOP = "someone-else.myshopify.com";
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  const url = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  await storeAdminSessions(SHOP);
  const now = Date.now();
  const later = new Date(now + 24 * 3600_000);
  const event = (shop: string, n: number, extra: Record<string, unknown>) => ({
    shop,
    eventId: `status-${shop}-${n}`,
    topic: "ORDERS_PAID",
    payload: "{}",
    nextAttemptAt: later,
    ...extra,
  });
  await db.webhookEvent.createMany({
    data: [
      // Waiting: 7, the oldest received 2 hours ago, 3 of them after a failed attempt.
      ...Array.from({ length: 4 }, (_, i) => event(SHOP, i, { receivedAt: new Date(now - (10 + i) * 60_000) })),
      ...Array.from({ length: 3 }, (_, i) =>
        event(SHOP, 10 + i, { receivedAt: new Date(now - (i === 0 ? 120 : 30) * 60_000), attempts: 2, lastError: "Error: boom" }),
      ),
      // Dead: 2. Applied: 5 (not counted anywhere).
      ...Array.from({ length: 2 }, (_, i) =>
        event(SHOP, 20 + i, {
          receivedAt: new Date(now - 86_400_000),
          attempts: 8,
          lastError: "Error: boom",
          deadAt: new Date(now - 3600_000),
        }),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        event(SHOP, 30 + i, { receivedAt: new Date(now - 60_000), processedAt: new Date(now - 50_000) }),
      ),
      // Another shop's backlog is not this shop's.
      ...Array.from({ length: 6 }, (_, i) => event(OTHER_SHOP, i, { receivedAt: new Date(now - 5 * 3600_000) })),
    ],
  });
  await db.reconciliationRun.create({
    data: {
      shop: SHOP,
      startedAt: new Date("2026-11-30T03:20:00Z"),
      finishedAt: new Date("2026-11-30T03:21:00Z"),
      checked: 310,
      repaired: 3,
    },
  });
  await db.reconciliationRun.create({
    data: {
      shop: SHOP,
      startedAt: new Date("2026-12-01T03:20:00Z"),
      finishedAt: new Date("2026-12-01T03:20:40Z"),
      checked: 1234,
      repaired: 2,
    },
  });
  await db.reconciliationRun.create({ data: { shop: OTHER_SHOP, startedAt: new Date(now - 60_000), checked: 9, repaired: 9 } });
  await db.backfillJob.create({
    data: {
      shop: SHOP,
      status: "importing",
      phase: "orders",
      linesDone: 1200,
      linesTotal: 5000,
      importStartedAt: new Date(now - 60_000),
      lockedUntil: later,
    },
  });
  app = await startApp(url);
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await db.$disconnect();
});

it("shows the backlog, its lag, failures, the last reconciliation and the import as the database holds them", async () => {
  const context = await adminBrowserContext(browser);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const response = await page.goto(embeddedUrl(app.url, "/app/status", SHOP));
  expect(response?.status(), app.logs().slice(-2000)).toBe(200);
  const figure = async (name: string) => (await page.locator(`[data-figure="${name}"]`).innerText()).trim();

  // The database's own answers, asked the way an operator would.
  const waiting = { shop: SHOP, processedAt: null, deadAt: null };
  const backlog = await db.webhookEvent.count({ where: waiting });
  const retrying = await db.webhookEvent.count({ where: { ...waiting, lastError: { not: null } } });
  const dead = await db.webhookEvent.count({ where: { shop: SHOP, deadAt: { not: null }, processedAt: null } });
  const oldest = await db.webhookEvent.findFirstOrThrow({ where: waiting, orderBy: { receivedAt: "asc" } });
  const lastRun = await db.reconciliationRun.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { startedAt: "desc" } });
  const job = await db.backfillJob.findUniqueOrThrow({ where: { shop: SHOP } });
  expect([backlog, retrying, dead]).toEqual([7, 3, 2]);

  expect(await figure("backlog")).toBe(String(backlog));
  expect(await figure("retrying")).toBe(String(retrying));
  expect(await figure("dead")).toBe(String(dead));
  const lagHours = (Date.now() - oldest.receivedAt.getTime()) / 3600_000;
  expect(await figure("lag")).toBe(`${lagHours.toFixed(1)} h`);
  expect(await figure("reconciled-checked")).toBe(lastRun.checked.toLocaleString("en"));
  expect(await figure("reconciled-repaired")).toBe(String(lastRun.repaired));
  expect(await figure("reconciled-at")).toBe("Dec 1, 2026, 3:20 AM UTC");
  expect(await figure("backfill-state")).toBe("Importing");
  expect(await figure("backfill-rows")).toBe(`${job.linesDone.toLocaleString("en")} of ${job.linesTotal!.toLocaleString("en")}`);
  // Dead events lead to the page where they can be retried.
  expect(await page.locator('a[href="/app/failed-events"]').count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, "status.png"), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});

it("is in the admin's navigation", async () => {
  const context = await adminBrowserContext(browser);
  const page = await context.newPage();
  await page.goto(embeddedUrl(app.url, "/app/status", SHOP));
  expect(await page.locator('a[href="/app/status"]').count()).toBeGreaterThan(0);
  await context.close();
});
