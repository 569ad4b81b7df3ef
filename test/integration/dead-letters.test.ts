// An accepted event that fails every attempt stops being retried, is marked dead with its last
// error, says so once in the log, shows in the admin, and is applied exactly once when the owner
// retries it after fixing the cause. A processor that dies on every attempt ends the same way.
// The failure here is a real one: a program earning 1,000 points per dollar on a 10,000,000.00
// order would award 10^10 points, past the ledger's bound of 10^9 a row.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { adminBrowserContext, adminHeaders, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useChromium } from "../support/browser";
import { useFreshDatabase } from "../support/database";
import { pointsOf, waitFor } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/failed-events");
const ATTEMPTS = 3;
const RETRY_BASE_SECONDS = 0.05;
let databaseUrl: string;
let app: RunningApp;
const browser = useChromium();

beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
  await db.shop.create({ data: { domain: SHOP, currency: "USD" } });
  await db.programSettings.create({ data: { shop: SHOP, pointsPerUnit: 1000 } });
  await storeAdminSessions(SHOP);
  app = await startApp(databaseUrl, {
    WEBHOOK_MAX_ATTEMPTS: String(ATTEMPTS),
    WEBHOOK_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS),
  });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

describe("an event that always fails", () => {
  const customerId = newId();
  const order = orderPayload({ customerId, subtotal: "10000000.00" });

  it(`is dead after ${ATTEMPTS} attempts with its last error, and the log says so once`, async () => {
    expect((await deliverWebhook(app.url, "orders/paid", order, { eventId: "always-fails-1" })).status).toBe(200);
    const dead = await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "always-fails-1", deadAt: { not: null } } }));
    expect(dead.attempts).toBe(ATTEMPTS);
    expect(dead.processedAt).toBeNull();
    expect(dead.lastError).toMatch(
      /LedgerBoundsError: ledger delta 10000000000 .* is not a whole number of points within ±1000000000/,
    );
    expect(dead.lastAttemptAt).not.toBeNull();
    // No more attempts once dead. Had it another, it would be due at its last attempt plus the
    // backoff (base × 3^(attempts−1)); a delivery after that is claimed by the same query (due
    // events in id order), so once that delivery is applied, the dead event was passed over.
    const wouldBeDue = dead.lastAttemptAt!.getTime() + RETRY_BASE_SECONDS * 1000 * 3 ** (ATTEMPTS - 1);
    await waitFor(async () => Date.now() > wouldBeDue);
    const guest = orderPayload({ customerId: null }); // applies without touching the ledger
    expect((await deliverWebhook(app.url, "orders/paid", guest, { eventId: "after-dead-1" })).status).toBe(200);
    await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "after-dead-1", processedAt: { not: null } } }));
    expect((await db.webhookEvent.findUnique({ where: { id: dead.id } }))?.attempts).toBe(ATTEMPTS);
    expect(app.logs().match(/"event":"webhook\.dead"/g)).toHaveLength(1);
    expect(app.logs()).toMatch(/DEAD LETTER/);
    expect(await db.ledgerEntry.count()).toBe(0);
  });

  it("shows in the admin with topic, error and attempts, and is applied once after the cause is fixed and it is retried", async () => {
    const context = await adminBrowserContext(browser());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    const response = await page.goto(embeddedUrl(app.url, "/app/failed-events", SHOP));
    expect(response?.status(), app.logs().slice(-2000)).toBe(200);
    const text = (await page.textContent("body")) ?? "";
    expect(text).toContain("1 event from Shopify could not be applied");
    expect(text).toContain("orders/paid");
    expect(text).toMatch(/LedgerBoundsError/);
    await page.screenshot({ path: path.join(SHOTS, "dead.png"), fullPage: true });

    // The owner fixes the program, then retries.
    await db.programSettings.update({ where: { shop: SHOP }, data: { pointsPerUnit: 1 } });
    await page.getByRole("button", { name: "Retry" }).click();
    await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "always-fails-1", processedAt: { not: null } } }));
    expect(await pointsOf(customerId)).toBe(10_000_000);

    await page.reload();
    expect(await page.textContent("body")).toContain("No failed events");
    await page.screenshot({ path: path.join(SHOTS, "after-retry.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a retry of an event that is not dead is refused, and a redelivery of the applied order earns nothing more", async () => {
    const event = await db.webhookEvent.findFirstOrThrow({ where: { eventId: "always-fails-1" } });
    const headers = adminHeaders(SHOP);
    const body = new URLSearchParams({ intent: "retry", id: String(event.id) });
    const response = await fetch(`${app.url}/app/failed-events?_data=routes%2Fapp.failed-events`, {
      method: "POST",
      headers,
      body,
    });
    expect(response.status).toBe(404);
    expect((await deliverWebhook(app.url, "orders/paid", order, { eventId: "always-fails-2" })).status).toBe(200);
    await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "always-fails-2", processedAt: { not: null } } }));
    expect(await pointsOf(customerId)).toBe(10_000_000);
  });
});

describe("an event whose every attempt dies with the process", () => {
  it("is dead once its attempts are used up, instead of looping forever", async () => {
    await app.stop();
    const crashing = await startApp(databaseUrl, {
      WEBHOOK_MAX_ATTEMPTS: "2",
      WEBHOOK_LEASE_SECONDS: "0.3",
      REGULARS_FAULT_CRASH_BEFORE_COMMIT: "1",
      WEB_CONCURRENCY: "1",
    });
    const gone = (server: RunningApp) => server.process.exitCode !== null || server.process.signalCode !== null;
    // The primary (the processor) dies on the first attempt; the harness sees the exit.
    expect(
      (await deliverWebhook(crashing.url, "orders/paid", orderPayload({ customerId: newId() }), { eventId: "crashes-1" })).status,
    ).toBe(200);
    await waitFor(async () => gone(crashing));
    await crashing.stop();
    const event = () => db.webhookEvent.findFirstOrThrow({ where: { eventId: "crashes-1" } });
    // A restart takes it again after the lease and dies again; its attempts used up, the next
    // restart buries it as dead (both paths are waited for, whichever this run takes).
    for (let run = 0; run < 2; run++) {
      const again = await startApp(databaseUrl, {
        WEBHOOK_MAX_ATTEMPTS: "2",
        WEBHOOK_LEASE_SECONDS: "0.3",
        REGULARS_FAULT_CRASH_BEFORE_COMMIT: "1",
        WEB_CONCURRENCY: "1",
      }).catch(() => null); // it may die before it answers
      // Until it has died taking the event, or (its attempts used up) buried it as dead.
      if (again) await waitFor(async () => gone(again) || (await event()).deadAt !== null);
      await again?.stop();
    }
    app = await startApp(databaseUrl, { WEBHOOK_MAX_ATTEMPTS: "2", WEBHOOK_LEASE_SECONDS: "0.3" });
    const dead = await waitFor(() => db.webhookEvent.findFirst({ where: { eventId: "crashes-1", deadAt: { not: null } } }));
    expect(dead.processedAt).toBeNull();
    expect(dead.attempts).toBe(2);
    expect(dead.lastError).toMatch(/the processor stopped during every attempt/);
  }, 90_000); // four server starts: about 10 s alone, three times that on a busy machine
});
