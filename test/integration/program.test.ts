// The Program page against the real built server and a real database: the owner's saves change
// how the next signed orders/paid webhook earns, bad input is refused field by field and stores
// nothing, one shop never changes another's program, and the page works in headless Chromium
// (screenshots in test-results/program/). Admin requests carry a session token as App Bridge's
// fetch does (test/support/admin-session.ts); the browser keeps the id_token in the page URL.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { DEFAULT_PROGRAM } from "../../app/loyalty/program";
import { adminBrowserContext, adminHeaders, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";
import { entriesOf, inboxDrained, pointsOf } from "../support/ledger";
import { memberWithPoints } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/program");
const OTHER = "other-program-shop.myshopify.com";
const BROWSER_SHOP = "program-browser-shop.myshopify.com";
const BONUS_SHOP = "program-bonus-shop.myshopify.com";

let app: RunningApp;
const browser = useChromium();

beforeAll(async () => {
  const url = await useFreshDatabase();
  for (const shop of [SHOP, OTHER, BROWSER_SHOP, BONUS_SHOP]) {
    await db.shop.create({ data: { domain: shop, name: shop.split(".")[0], currency: "USD" } });
    await db.programSettings.create({ data: { shop } }); // what the install stores
    await storeAdminSessions(shop);
  }
  app = await startApp(url);
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

/** A POST to the route action as the page's fetcher makes it (Remix data request, session token). */
async function programAction(body: unknown, { shop = SHOP, headers = adminHeaders(shop) as Record<string, string> } = {}) {
  const response = await fetch(`${app.url}/app/program?_data=${encodeURIComponent("routes/app.program")}`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

const settingsRow = (shop: string) => db.programSettings.findUniqueOrThrow({ where: { shop } });

async function paidOrder(customerId: number, subtotal: string, shop = SHOP) {
  const delivery = await deliverWebhook(app.url, "orders/paid", orderPayload({ id: newId(), customerId, subtotal }), { shop });
  expect(delivery.status, app.logs().slice(-2000)).toBe(200);
  await inboxDrained();
}

describe("saving the program", () => {
  it("changes what the next paid order earns, and leaves points already earned alone", async () => {
    const customer = 7_300_000_001;
    await paidOrder(customer, "50.00");
    expect(await pointsOf(customer)).toBe(50); // out of the box: 1 point per unit

    const saved = await programAction({
      intent: "save-settings",
      settings: {
        ...DEFAULT_PROGRAM,
        pointsPerUnit: "2",
        tiersEnabled: true,
        tiers: [{ name: "Gold", minSpendCents: 0, multiplier: "1.5" }],
      },
    });
    expect(saved, app.logs().slice(-2000)).toEqual({
      status: 200,
      body: { ok: true, intent: "save-settings", message: "Program saved" },
    });

    // 50.00 × 2 points × Gold 1.5 = 150, on top of the 50 earned before.
    await paidOrder(customer, "50.00");
    expect(await pointsOf(customer)).toBe(200);
    const entries = await entriesOf(customer);
    expect(entries.map((e) => e.delta)).toEqual([50, 150]);
    expect(entries[1].reason).toContain("Gold ×1.5");
  });

  it("never changes another shop's program", async () => {
    const before = await settingsRow(OTHER);
    await programAction({ intent: "save-settings", settings: { ...DEFAULT_PROGRAM, pointsPerUnit: 10 } }, { shop: SHOP });
    expect(await settingsRow(OTHER)).toEqual(before);
    const customer = 7_300_000_002;
    await paidOrder(customer, "50.00", OTHER);
    expect(await pointsOf(customer, OTHER)).toBe(50);
    await programAction({
      intent: "save-settings",
      settings: {
        ...DEFAULT_PROGRAM,
        pointsPerUnit: 2,
        tiersEnabled: true,
        tiers: [{ name: "Gold", minSpendCents: 0, multiplier: 1.5 }],
      },
    });
  });

  it("refuses invalid input with 422 and the fields to fix, and stores nothing", async () => {
    const before = await settingsRow(SHOP);
    const refused = await programAction({
      intent: "save-settings",
      settings: {
        ...DEFAULT_PROGRAM,
        pointsPerUnit: "lots",
        tiersEnabled: true,
        tiers: [
          { name: "Gold", minSpendCents: 0, multiplier: 0.5 },
          { name: "gold", minSpendCents: 10_000, multiplier: 2 },
        ],
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      ok: false,
      intent: "save-settings",
      errors: {
        pointsPerUnit: "Enter points per unit",
        "tiers.0.multiplier": "The multiplier must be at least 1",
        "tiers.1.name": '"gold" is already a tier name',
      },
    });
    expect(await settingsRow(SHOP)).toEqual(before);

    // And the next order still earns under the saved program.
    const customer = 7_300_000_003;
    await paidOrder(customer, "10.00");
    expect(await pointsOf(customer)).toBe(30); // 10 × 2 × 1.5
  });

  it("answers 400 to a body that is not a JSON object or an unknown action", async () => {
    expect((await programAction("{not json")).status).toBe(400);
    expect((await programAction([1, 2])).status).toBe(400);
    expect((await programAction({ intent: "drop-tables" })).status).toBe(400);
  });

  it("saves nothing for a request without a valid session token", async () => {
    const before = await settingsRow(SHOP);
    const body = { intent: "save-settings", settings: { ...DEFAULT_PROGRAM, pointsPerUnit: 99 } };
    const anonymous = await programAction(body, { headers: {} });
    const forged = await programAction(body, {
      headers: { ...adminHeaders(), Authorization: `Bearer ${adminHeaders().Authorization.split(" ")[1].slice(0, -4)}AAAA` },
    });
    expect(anonymous.status).not.toBe(200);
    expect(forged.status).not.toBe(200);
    expect(await settingsRow(SHOP)).toEqual(before);
  });
});

describe("managing rewards", () => {
  it("adds the suggested starter set scaled to the rate, once", async () => {
    const first = await programAction({ intent: "add-suggested-rewards" }, { shop: OTHER });
    expect(first.body).toMatchObject({ ok: true, message: "Added 3 rewards" });
    const again = await programAction({ intent: "add-suggested-rewards" }, { shop: OTHER });
    expect(again.body).toMatchObject({ ok: true, message: "You already have rewards" });
    const rewards = await db.reward.findMany({ where: { shop: OTHER }, orderBy: { pointsCost: "asc" } });
    expect(rewards.map((r) => [r.name, r.pointsCost])).toEqual([
      ["$5 off", 500],
      ["Free shipping", 800],
      ["10% off", 1000],
    ]);
  });

  it("creates and edits rewards, refusing kind-specific nonsense with field errors", async () => {
    const bad = await programAction({
      intent: "create-reward",
      reward: { name: "Half off", kind: "percent_off", pointsCost: 0, percentOff: 150 },
    });
    expect(bad).toEqual({
      status: 422,
      body: { ok: false, intent: "create-reward", errors: { pointsCost: "Enter at least 1", percentOff: "Enter at most 100" } },
    });
    expect(await db.reward.count({ where: { shop: SHOP } })).toBe(0);

    const created = await programAction({
      intent: "create-reward",
      reward: { name: "$10 off", kind: "amount_off", pointsCost: "900", valueCents: 1000, minimumSubtotalCents: 5000 },
    });
    expect(created.status).toBe(200);
    const reward = await db.reward.findFirstOrThrow({ where: { shop: SHOP } });
    expect(reward).toMatchObject({
      name: "$10 off",
      kind: "amount_off",
      pointsCost: 900,
      valueCents: 1000,
      minimumSubtotalCents: 5000,
      active: true,
    });

    const edited = await programAction({
      intent: "update-reward",
      id: reward.id,
      reward: { name: "Free shipping", kind: "free_shipping", pointsCost: 700, valueCents: 1000 },
    });
    expect(edited.status).toBe(200);
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({
      kind: "free_shipping",
      pointsCost: 700,
      valueCents: 0,
      minimumSubtotalCents: null,
    });
  });

  it("deactivates a redeemed reward instead of deleting it, and never touches another shop's", async () => {
    const reward = await db.reward.create({
      data: { shop: SHOP, name: "$5 off", kind: "amount_off", pointsCost: 500, valueCents: 500 },
    });
    const customerId = await memberWithPoints(7_300_000_009, 600);
    await db.redemption.create({
      data: {
        shop: SHOP,
        customerId,
        rewardId: reward.id,
        pointsSpent: 500,
        status: "issued",
        code: "REG-PROG-0001",
        idempotencyKey: "program-test-1",
      },
    });

    const foreign = await programAction({ intent: "deactivate-reward", id: reward.id }, { shop: OTHER });
    expect(foreign.status).toBe(404);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).active).toBe(true);

    const removed = await programAction({ intent: "delete-reward", id: reward.id });
    expect(removed.body).toMatchObject({ ok: true, message: expect.stringContaining("deactivated instead of deleted") });
    expect(await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ active: false, name: "$5 off" });
    expect((await db.redemption.findFirstOrThrow({ where: { code: "REG-PROG-0001" } })).rewardId).toBe(reward.id);

    expect((await programAction({ intent: "activate-reward", id: reward.id })).status).toBe(200);
    expect((await db.reward.findUniqueOrThrow({ where: { id: reward.id } })).active).toBe(true);
  });
});

describe("the Program page in Chromium", () => {
  it("sets up a program: live example, tier errors inline, save, starter rewards", async () => {
    const context = await adminBrowserContext(browser(), { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    const response = await page.goto(embeddedUrl(app.url, "/app/program", BROWSER_SHOP));
    expect(response?.status(), app.logs().slice(-2000)).toBe(200);

    const example = page.locator('[data-example="earning"]');
    await expect.poll(() => example.textContent()).toBe("An order of $50.00 earns 50 points.");
    await page.getByText("Give customers something to save up for").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "program-new-shop.png"), fullPage: true });

    // The example follows the rate as it is typed.
    await page.getByLabel("Points per $1 spent").fill("2");
    await expect.poll(() => example.textContent()).toBe("An order of $50.00 earns 100 points.");

    // Tiers with a duplicate name: refused, the field says why, nothing stored.
    await page.getByLabel("Reward top customers with VIP tiers").check();
    await page.getByRole("button", { name: "Use suggested tiers" }).click();
    await page.locator('input[name="tiers.1.name"]').fill("Bronze");
    await page.getByRole("button", { name: "Save" }).first().click();
    await page.getByText('"Bronze" is already a tier name').waitFor();
    await page.getByText("Fix 1 field to save").waitFor();
    expect((await settingsRow(BROWSER_SHOP)).pointsPerUnit).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, "program-tier-error.png"), fullPage: true });

    await page.locator('input[name="tiers.1.name"]').fill("Silver");
    await page.getByRole("button", { name: "Save" }).first().click();
    await page.getByText("Program saved").waitFor();
    const row = await settingsRow(BROWSER_SHOP);
    expect(row).toMatchObject({ pointsPerUnit: 2, tiersEnabled: true });
    expect(JSON.parse(row.tiers).map((t: { name: string }) => t.name)).toEqual(["Bronze", "Silver", "Gold"]);

    // Starter rewards, costs scaled to 2 points per unit.
    await page.getByRole("button", { name: "Add suggested rewards" }).click();
    await page.locator("[data-reward]").first().waitFor();
    expect(await page.locator("[data-reward]").allInnerTexts()).toEqual([
      expect.stringMatching(/^\$5 off\s+1,000 points/),
      expect.stringMatching(/^Free shipping\s+1,600 points/),
      expect.stringMatching(/^10% off\s+2,000 points/),
    ]);
    expect(await db.reward.count({ where: { shop: BROWSER_SHOP } })).toBe(3);
    await expect.poll(() => page.getByText("Give customers something to save up for").count()).toBe(0);

    // A new reward with a kind-specific error, then fixed.
    await page.getByRole("button", { name: "Add reward" }).first().click();
    await page.getByLabel("Name customers see").fill("Big discount");
    await page.getByLabel("Type").selectOption("percent_off");
    await page.getByLabel("Cost").fill("3000");
    await page.getByLabel("Percentage off").fill("120");
    await page.getByRole("button", { name: "Add reward" }).last().click();
    await page.getByText("Enter at most 100").waitFor();
    await page.getByText("Enter at most 100").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "program-reward-error.png") });
    await page.getByLabel("Percentage off").fill("20");
    await page.getByRole("button", { name: "Add reward" }).last().click();
    await page.getByText("20% off · 3,000 points").waitFor(); // the value is spelled out when the name doesn't say it

    // Store credit: an amount and an optional expiry in days, no minimum order.
    await page.getByRole("button", { name: "Add reward" }).first().click();
    await page.getByLabel("Name customers see").fill("Store credit treat");
    await page.getByLabel("Type").selectOption("store_credit");
    await page.getByLabel("Cost").fill("1500");
    expect(await page.getByLabel("Minimum order subtotal (optional)").count()).toBe(0);
    await page.getByLabel("Store credit", { exact: true }).fill("7.50");
    await page.getByLabel("Credit expires after (optional)").fill("90");
    await page.getByRole("button", { name: "Add reward" }).last().click();
    await page.getByText("$7.50 store credit · 1,500 points · expires 90 days after it is issued").waitFor();
    expect(await db.reward.findFirstOrThrow({ where: { shop: BROWSER_SHOP, kind: "store_credit" } })).toMatchObject({
      valueCents: 750,
      creditExpiryDays: 90,
      minimumSubtotalCents: null,
    });

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "program.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it("turns on order and birthday bonuses, tier entry rewards and expiry reminders; a bad value is refused inline and nothing saved", async () => {
    const context = await adminBrowserContext(browser(), { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    expect((await page.goto(embeddedUrl(app.url, "/app/program", BONUS_SHOP)))?.status(), app.logs().slice(-2000)).toBe(200);
    await expect.poll(() => page.getByText("not offered yet").count()).toBe(0);

    await page.getByLabel("First-order bonus", { exact: true }).check();
    await page.getByLabel("Every-few-orders bonus", { exact: true }).check();
    await page.getByLabel("Every how many orders").fill("1");
    await page.getByLabel("Birthday bonus", { exact: true }).check();
    await page.locator('input[name="birthdayBonusPoints"]').fill("250");
    await page.getByLabel("Reward top customers with VIP tiers").check();
    await page.getByRole("button", { name: "Use suggested tiers" }).click();
    await page.getByLabel("Tier 3 perks").fill("Free shipping on every order");
    await page.getByLabel("Points expire after a period without orders").check();
    await page.getByLabel("Remind customers before points expire").fill("7");
    await page.getByRole("button", { name: "Save" }).first().click();
    await page.getByText("Enter at least 2").waitFor();
    await page.getByText("Fix 1 field to save").waitFor();
    expect(await settingsRow(BONUS_SHOP)).toMatchObject({
      firstOrderBonusEnabled: false,
      birthdayBonusEnabled: false,
      tiersEnabled: false,
    });
    await page.getByText("Enter at least 2").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "program-bonus-error.png") });

    await page.getByLabel("Every how many orders").fill("3");
    await page.getByRole("button", { name: "Save" }).first().click();
    await page.getByText("Program saved").waitFor();
    const row = await settingsRow(BONUS_SHOP);
    expect(row).toMatchObject({
      firstOrderBonusEnabled: true,
      firstOrderBonusPoints: 100,
      nthOrderBonusEnabled: true,
      nthOrderBonusEvery: 3,
      birthdayBonusEnabled: true,
      birthdayBonusPoints: 250,
      expiryEnabled: true,
      expiryReminderDays: 7,
    });
    expect(
      JSON.parse(row.tiers).map((t: { name: string; entryRewardPoints: number; perks: string }) => [
        t.name,
        t.entryRewardPoints,
        t.perks,
      ]),
    ).toEqual([
      ["Bronze", 0, ""],
      ["Silver", 100, ""],
      ["Gold", 250, "Free shipping on every order"],
    ]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "program-bonuses.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
