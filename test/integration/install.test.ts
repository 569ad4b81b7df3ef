// An install as the embedded admin does it: the admin opens the app with a session token, the
// library exchanges it at Shopify's token endpoint for an expiring offline token (answered by the
// emulator), stores the session, and the app's install work runs: the shop and its facts, the
// default program and the history import. The Shopify client reaches that work only through the
// hook the app registers at startup.
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { db } from "../../app/db.server";
import { tokenBook } from "../../app/shopify/emulator/oauth";
import { BROWSER_USER_AGENT, embeddedUrl } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { waitFor } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";

const SHOP = "new-install.myshopify.com";
const dir = mkdtempSync(path.join(tmpdir(), "regulars-install-"));
let app: RunningApp;

beforeAll(async () => {
  const url = await useFreshDatabase();
  app = await startApp(url, { SHOPIFY_EMULATOR: "1", SHOPIFY_EMULATOR_DIR: dir, REGULARS_ALLOW_DEV_TOOLS: "1" });
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

it("exchanges the admin's session token for an expiring offline token and sets the shop up", async () => {
  expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);
  const response = await fetch(embeddedUrl(app.url, "/app", SHOP), { headers: { "User-Agent": BROWSER_USER_AGENT } });
  expect(response.status, app.logs().slice(-3000)).toBe(200);

  expect(tokenBook(dir).grants()).toContainEqual({ grant: "install_expiring", shop: SHOP });
  const session = await db.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
  expect(session.refreshToken).toBeTruthy();
  expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

  const shop = await waitFor(() => db.shop.findUnique({ where: { domain: SHOP } }));
  expect(app.logs()).not.toContain("shop.facts_unavailable");
  expect(shop).toMatchObject({ name: "new-install", currency: "USD", timezone: "UTC", uninstalledAt: null });
  expect(await db.programSettings.count({ where: { shop: SHOP } })).toBe(1);
  expect(await db.backfillJob.count({ where: { shop: SHOP } })).toBe(1);
});
