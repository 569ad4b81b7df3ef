// A new shop from install to a working program through the onboarding, in headless Chromium
// against the built server, a real database and Shopify's Admin API answered by the emulator: the
// admin's first open installs the app (token exchange) and lands in the onboarding; a wrong rate
// shows under its field and saves nothing; the steps save; the checklist ticks itself, the widget
// tick following what the emulated live theme says; Finish leads to the dashboard. "Do this later"
// leaves a card on the dashboard to resume. Screenshots: /tmp/onboarding-*.png (look at them).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { writeEmulatedEmbed } from "../../app/shopify/emulator/themes";
import { adminHeaders, embeddedAdminContext, embeddedUrl, remixHydrated, shotOnFailure } from "../support/admin-session";
import { useChromium } from "../support/browser";
import { useFreshDatabase } from "../support/database";
import { startApp, TEST_API_KEY, type RunningApp } from "../support/server";

const SHOTS = "/tmp";
const SHOP = "fresh-beans.myshopify.com";
const LATER = "later-beans.myshopify.com";
const emulatorDir = mkdtempSync(path.join(tmpdir(), "regulars-onboarding-e2e-"));
let app: RunningApp;
const browser = useChromium();

beforeAll(async () => {
  const url = await useFreshDatabase();
  app = await startApp(url, { SHOPIFY_EMULATOR: "1", SHOPIFY_EMULATOR_DIR: emulatorDir, REGULARS_ALLOW_DEV_TOOLS: "1" });
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function openAdmin(shop: string) {
  const context = await embeddedAdminContext(browser(), app.url, shop);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors, close: () => context.close() };
}

const checkDone = (page: Page, step: string) => page.locator(`[data-check="${step}"]`).getAttribute("data-done");
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `onboarding-${name}.png`), fullPage: true });

describe("a new shop's first run", () => {
  it("goes from install to a working program through the onboarding", async () => {
    const { page, errors, close } = await openAdmin(SHOP);
    await shotOnFailure(page, SHOTS, "onboarding", async () => {
      // The admin's first open: the install happens (token exchange with the emulated Shopify), then the onboarding.
      const response = await page.goto(embeddedUrl(app.url, "/app", SHOP));
      expect(response?.status(), app.logs().slice(-3000)).toBe(200);
      expect(new URL(page.url()).pathname).toBe("/app/onboarding");
      await page.getByRole("heading", { name: "Set up your loyalty program" }).waitFor();
      await remixHydrated(page);
      expect(await db.session.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
      expect(await page.textContent("body")).toContain("0 of 3 done");
      // Out of the box: 1 point per unit, the sign-up bonus proposed on at its suggested amount.
      expect(await page.getByLabel("Points per $1 spent").inputValue()).toBe("1");
      expect(await page.getByLabel("Sign-up bonus", { exact: true }).isChecked()).toBe(true);
      await shot(page, "1-earning");

      // A rate of 0: the error under the field, nothing saved, nothing ticked.
      await page.getByLabel("Points per $1 spent").fill("0");
      await page.getByRole("button", { name: "Save and continue" }).click();
      await page.getByText("Points per unit must be more than 0").waitFor();
      await page.getByText("Fix 1 field to save").waitFor();
      await shot(page, "2-invalid-rate");
      expect((await db.programSettings.findUniqueOrThrow({ where: { shop: SHOP } })).pointsPerUnit).toBe(1);
      expect(await db.onboarding.findUnique({ where: { shop: SHOP } })).toBeNull();
      expect(await checkDone(page, "earning")).toBe("false");

      // 2 points per unit and the bonus: saved, ticked, on to the rewards.
      await page.getByLabel("Points per $1 spent").fill("2");
      await page.getByText("An order of $50.00 earns 100 points.").waitFor();
      await page.getByRole("button", { name: "Save and continue" }).click();
      await page.getByRole("heading", { name: "2. Rewards to spend points on" }).waitFor();
      await page.waitForSelector('[data-check="earning"][data-done="true"]');
      expect(await db.programSettings.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({
        pointsPerUnit: 2,
        signupBonusEnabled: true,
        signupBonusPoints: 100,
      });

      // The starter rewards, scaled to 2 points per unit and editable; a wrong cost saves none of them.
      const costs = page.getByLabel("Cost");
      expect(await costs.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([
        "1000",
        "1600",
        "2000",
      ]);
      await costs.nth(1).fill("0");
      await page.getByRole("button", { name: "Add these rewards and continue" }).click();
      await page.getByText("Enter at least 1").waitFor();
      await shot(page, "3-invalid-reward");
      expect(await db.reward.count({ where: { shop: SHOP } })).toBe(0);
      await costs.nth(1).fill("1200");
      await page.getByLabel("Name customers see").first().fill("Five dollars off");
      await page.getByRole("button", { name: "Add these rewards and continue" }).click();
      await page.getByRole("heading", { name: "3. The rewards widget on your store" }).waitFor();
      await page.waitForSelector('[data-check="rewards"][data-done="true"]');
      const rewards = await db.reward.findMany({ where: { shop: SHOP }, orderBy: { pointsCost: "asc" } });
      expect(rewards.map((r) => [r.name, r.pointsCost])).toEqual([
        ["Five dollars off", 1000],
        ["Free shipping", 1200],
        ["10% off", 2000],
      ]);
      // Submitted again (a retry, a second tab): nothing more is created.
      const again = await fetch(`${app.url}/app/onboarding?_data=routes%2Fapp.onboarding`, {
        method: "POST",
        headers: { ...adminHeaders(SHOP), "Content-Type": "application/json" },
        body: JSON.stringify({ intent: "save-rewards", rewards: [{ name: "x", kind: "free_shipping", pointsCost: 5 }] }),
      });
      expect(again.status).toBe(200);
      expect(await db.reward.count({ where: { shop: SHOP } })).toBe(3);

      // The widget: checked when the step opens; the live theme does not have it yet.
      await page.waitForSelector('[data-embed-state="absent"]');
      const editor = page.getByRole("link", { name: "Open the theme editor" });
      expect(await editor.getAttribute("href")).toBe(
        `https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${TEST_API_KEY}/rewards-embed`,
      );
      // Out of the admin's iframe: the theme editor is the admin's own page.
      expect(await editor.getAttribute("target")).toBe("_top");
      expect(await checkDone(page, "embed")).toBe("false");
      expect(await page.getByRole("button", { name: "Finish" }).isDisabled()).toBe(true);
      await shot(page, "4-widget-off");

      // The owner switches the embed on in the theme editor and saves: "Check again" ticks the box.
      writeEmulatedEmbed(emulatorDir, SHOP, "on");
      await page.getByRole("button", { name: "Check again" }).click();
      await page.waitForSelector('[data-embed-state="on"]');
      await page.waitForSelector('[data-check="embed"][data-done="true"]');
      expect(await page.textContent("body")).toContain("3 of 3 done");
      await shot(page, "5-all-done");

      await page.getByRole("button", { name: "Finish" }).click();
      await page.waitForURL((url) => url.pathname === "/app");
      await page.getByText("Your retention dashboard fills in with your first orders").waitFor();
      expect(await page.locator("[data-resume-onboarding]").count()).toBe(0);
      await shot(page, "6-dashboard");
      expect((await db.onboarding.findUniqueOrThrow({ where: { shop: SHOP } })).finishedAt).not.toBeNull();
      expect(errors).toEqual([]);
    });
    await close();
  });

  it("opens the dashboard from then on", async () => {
    const { page, close } = await openAdmin(SHOP);
    await page.goto(embeddedUrl(app.url, "/app", SHOP));
    await page.getByText("Your retention dashboard fills in with your first orders").waitFor();
    expect(new URL(page.url()).pathname).toBe("/app");
    await close();
  });
});

describe("doing it later", () => {
  it("leads to the dashboard, which offers to resume where the owner left off", async () => {
    const { page, errors, close } = await openAdmin(LATER);
    await shotOnFailure(page, SHOTS, "onboarding-later", async () => {
      await page.goto(embeddedUrl(app.url, "/app", LATER));
      await page.getByRole("heading", { name: "Set up your loyalty program" }).waitFor();
      await remixHydrated(page);
      await page.getByRole("button", { name: "Save and continue" }).click();
      await page.waitForSelector('[data-check="earning"][data-done="true"]');
      await page.getByRole("button", { name: "Do this later" }).click();
      await page.waitForURL((url) => url.pathname === "/app");
      const card = page.locator("[data-resume-onboarding]");
      await card.waitFor();
      expect(await card.textContent()).toContain("1 of 3 setup steps done");
      await shot(page, "7-resume-card");
      await card.getByRole("link", { name: "Resume setup" }).click();
      await page.waitForURL((url) => url.pathname === "/app/onboarding");
      // Where it was left: earning ticked, the rewards step open.
      await page.getByRole("heading", { name: "2. Rewards to spend points on" }).waitFor();
      expect(errors).toEqual([]);
    });
    await close();
  });

  it("answers 4xx with a reason to bad requests, and saves nothing", async () => {
    const post = (body: string) =>
      fetch(`${app.url}/app/onboarding?_data=routes%2Fapp.onboarding`, {
        method: "POST",
        headers: { ...adminHeaders(LATER), "Content-Type": "application/json" },
        body,
      });
    expect((await post("[1,2]")).status).toBe(400);
    expect((await post(JSON.stringify({ intent: "explode" }))).status).toBe(400);
    const rate = await post(JSON.stringify({ intent: "save-earning", earning: { pointsPerUnit: "lots" } }));
    expect(rate.status).toBe(422);
    expect(await rate.json()).toMatchObject({ ok: false, errors: { pointsPerUnit: "Enter points per unit" } });
    const finish = await post(JSON.stringify({ intent: "finish" }));
    expect(finish.status).toBe(409);
    expect((await db.onboarding.findUniqueOrThrow({ where: { shop: LATER } })).finishedAt).toBeNull();
    expect((await db.programSettings.findUniqueOrThrow({ where: { shop: LATER } })).pointsPerUnit).toBe(1);
    expect(app.logs()).toContain("onboarding.refused");
  });
});
