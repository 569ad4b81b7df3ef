// The shopper's two clicks, for real: the storefront preview page (the widget as the theme renders
// it, the built assets), the preview's app proxy signing each request like Shopify, the real
// /proxy API, the real database, and Shopify's Admin API answered by the emulator in the server.
// Headless Debian chromium; screenshots in test-results/storefront/ (look at them).
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import type { Page } from "playwright-core";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { translate } from "../../app/storefront/fixture-page";
import { buildWidget } from "../../scripts/build-widget";
import { useFreshDatabase } from "../support/database";
import { entriesOf, pointsOf } from "../support/ledger";
import { createReward, memberWithPoints, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { newId, SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/storefront");
const AXE = path.resolve("node_modules/axe-core/axe.min.js");

let app: RunningApp;
const browser = useChromium();
let rewardId: number;

beforeAll(async () => {
  await buildWidget(); // extensions/rewards-widget/assets/, what the preview serves
  mkdirSync(SHOTS, { recursive: true });
  const databaseUrl = await useFreshDatabase();
  app = await startApp(databaseUrl, {
    STOREFRONT_PREVIEW: "1",
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: mkdtempSync(path.join(tmpdir(), "regulars-emulator-")),
    STOREFRONT_PREVIEW_SHOP: SHOP,
  });
  await storeOfflineSession(SHOP);
  rewardId = (await createReward(SHOP, { name: "$5 off", pointsCost: 500, valueCents: 500 })).id;
  await createReward(SHOP, { name: "Free shipping", kind: "free_shipping", pointsCost: 800 });
  await createReward(SHOP, { name: "$25 off", pointsCost: 2500, valueCents: 2500 });
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

async function newPage() {
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  // every failed request by URL (the browser's own /favicon.ico probe aside)
  page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && errors.push(`${r.status()} ${r.url()}`));
  return { page, context, errors };
}

const active = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return {
      inDialog: !!a?.closest(".rg-p[role=dialog]"),
      launcher: !!a?.classList.contains("rg-l"),
      text: a?.textContent?.trim() ?? "",
    };
  });

async function tabToLauncher(page: Page) {
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    if ((await active(page)).launcher) return;
  }
  throw new Error("the launcher is not reachable with Tab");
}

const settle = (page: Page) => page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));

async function shot(page: Page, name: string) {
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, name) });
}

async function axe(page: Page, name: string) {
  await settle(page);
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => n.target.join(" ")),
    }));
  });
  if (violations.length) console.log(`axe (${name}):`, JSON.stringify(violations, null, 1));
  expect(
    violations.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical"),
    name,
  ).toEqual([]);
}

describe("storefront preview in chromium", () => {
  it("English: open with the keyboard, read the balance, redeem in one more press, see the code and the new balance, Escape", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 1250);
    const { page, context, errors } = await newPage();
    await page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=en`);
    const launcher = page.locator(".rg-l");
    expect(await launcher.textContent()).toContain("1250 points"); // first paint, as Liquid renders it
    await shot(page, "en-closed.png");

    await tabToLauncher(page);
    await page.keyboard.press("Enter"); // click 1
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("1,250 points");
    expect((await active(page)).inDialog).toBe(true);
    expect(await dialog.locator(`[data-f="r${rewardId}"]`).isEnabled()).toBe(true);
    await shot(page, "en-open.png");
    await axe(page, "en open");

    await dialog.locator(`[data-f="r${rewardId}"]`).focus();
    await page.keyboard.press("Enter"); // click 2
    await dialog.locator(".rg-code code").waitFor();
    const code = (await dialog.locator(".rg-code code").textContent())!;
    expect(code).toMatch(/^REG-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("750 points");
    expect(await launcher.textContent()).toContain("750 points");
    expect(await dialog.locator(".rg-ok a").getAttribute("href")).toBe(`/discount/${code}?redirect=/cart`);
    await shot(page, "en-redeemed.png");
    await axe(page, "en redeemed");

    // the ledger, the balance and the code agree
    expect(await pointsOf(customer)).toBe(750);
    const redemption = await db.redemption.findFirstOrThrow({ where: { code } });
    expect(redemption).toMatchObject({ status: "issued", pointsSpent: 500, rewardId });
    expect((await entriesOf(customer)).filter((e) => e.kind === "redeem").map((e) => [e.delta, e.redemptionId])).toEqual([
      [-500, redemption.id],
    ]);

    await page.keyboard.press("Escape");
    expect(await dialog.isHidden()).toBe(true);
    expect((await active(page)).launcher).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("Persian: right to left, Persian digits, the same two steps", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 1250);
    const { page, context, errors } = await newPage();
    await page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=fa`);
    expect(await page.locator(".rg").getAttribute("dir")).toBe("rtl");
    const launcher = page.locator(".rg-l");
    expect(await launcher.textContent()).toContain("۱۲۵۰");
    expect((await launcher.boundingBox())!.x).toBeLessThan(640); // the inline end is on the left

    await tabToLauncher(page);
    await page.keyboard.press("Enter");
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("۱٬۲۵۰ امتیاز");
    expect(await dialog.evaluate((e) => getComputedStyle(e).direction)).toBe("rtl");
    await shot(page, "fa-open.png");
    await axe(page, "fa open");

    await dialog.locator(`[data-f="r${rewardId}"]`).focus();
    await page.keyboard.press("Enter");
    await dialog.locator(".rg-code code").waitFor();
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("۷۵۰ امتیاز");
    expect(await dialog.locator(".rg-ok").innerText()).toContain(translate("fa", "regulars.panel.apply"));
    await shot(page, "fa-redeemed.png");
    await axe(page, "fa redeemed");
    expect(await pointsOf(customer)).toBe(750);

    await page.keyboard.press("Escape");
    expect(await dialog.isHidden()).toBe(true);
    expect((await active(page)).launcher).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a guest sees the program and sign-in links, and cannot redeem", async () => {
    const { page, context, errors } = await newPage();
    await page.goto(`${app.url}/preview/storefront?locale=en`);
    await page.locator(".rg-l").click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator('a[href="/account/login"]').waitFor();
    expect(await dialog.locator("[data-f^=r]").count()).toBe(0);
    expect(await dialog.innerText()).toContain("$5 off");
    await shot(page, "guest-open.png");
    await axe(page, "guest open");
    expect(errors).toEqual([]);
    await context.close();
  });
});
