// The shopper's two clicks, for real: the storefront preview page (the widget as the theme renders
// it, the built assets), the preview's app proxy signing each request like Shopify, the real
// /proxy API, the real database, and Shopify's Admin API answered by the emulator in the server.
// Headless Debian chromium; screenshots in test-results/storefront/ and /tmp/widget-preview-*.png (look at them).
// Also: codes that survive a reload, tier progress, the expiry notice, order dates in the activity,
// earning rates in English and Persian, the birthday form, and a ?ref= landing into the cart attribute.
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
import { appendEntry } from "../../app/loyalty/ledger.server";
import { createReward, memberWithPoints, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { newId, SHOP } from "../support/shopify";

const SHOTS = path.resolve("test-results/storefront");
const DAY = 86_400_000;
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
  await db.shop.upsert({ where: { domain: SHOP }, create: { domain: SHOP, currency: "USD", timezone: "UTC" }, update: {} });
  await db.programSettings.create({
    data: {
      shop: SHOP,
      birthdayBonusEnabled: true,
      birthdayBonusPoints: 150,
      tiersEnabled: true,
      tiers: JSON.stringify([
        { name: "Silver", minSpendCents: 20_000, multiplier: 1.25, entryRewardPoints: 0, perks: "" },
        { name: "Gold", minSpendCents: 50_000, multiplier: 1.5, entryRewardPoints: 0, perks: "" },
      ]),
      expiryEnabled: true,
      expiryMonths: 12,
      expiryReminderDays: 90,
    },
  });
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

async function shot(page: Page, name: string, full = false) {
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, name) });
  // the whole dialog in one picture (no scrolling), for a look outside the test run
  if (full) {
    const size = page.viewportSize()!;
    const panel = page.locator(".rg-p:not([hidden])").first();
    await page.setViewportSize({ width: size.width, height: 2400 });
    await panel.evaluate((e) => (e.style.maxBlockSize = "none"));
    await panel.screenshot({ path: `/tmp/widget-preview-${name}` });
    await panel.evaluate((e) => (e.style.maxBlockSize = ""));
    await page.setViewportSize(size);
  }
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
    await dialog.locator("li.rg-ok code").waitFor();
    const code = (await dialog.locator("li.rg-ok code").textContent())!;
    expect(code).toMatch(/^REG-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("750 points");
    expect(await launcher.textContent()).toContain("750 points");
    // the preview storefront's routes.root_url is /preview
    expect(await dialog.locator("li.rg-ok a").getAttribute("href")).toBe(`/preview/discount/${code}?redirect=/preview/cart`);
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
    await dialog.locator("li.rg-ok code").waitFor();
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("۷۵۰ امتیاز");
    expect(await dialog.locator("li.rg-ok").innerText()).toContain(translate("fa", "regulars.panel.apply"));
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
    await dialog.locator('a[href="/preview/account/login"]').waitFor();
    expect(await dialog.locator("[data-f^=r]").count()).toBe(0);
    expect(await dialog.innerText()).toContain("$5 off");
    await shot(page, "guest-open.png");
    await axe(page, "guest open");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a code redeemed on one visit is listed on the next, with copy and apply, until it is used", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 1250);
    const { page, context, errors } = await newPage();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
    await page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=en`);
    const dialog = page.locator(".rg-p[role=dialog]");
    await page.locator(".rg-l").click();
    await dialog.locator(`[data-f="r${rewardId}"]`).click();
    const code = (await dialog.locator("li.rg-ok code").textContent())!;

    await page.reload();
    await page.locator(".rg-l").click();
    const held = dialog.locator("li.rg-ok");
    await held.first().waitFor();
    expect(await held.count()).toBe(1);
    expect(await held.locator("code").textContent()).toBe(code);
    expect(await held.locator("strong").textContent()).toBe("$5 off");
    expect(await held.innerText()).toContain("500 points spent");
    expect(await held.locator("a").getAttribute("href")).toBe(`/preview/discount/${code}?redirect=/preview/cart`);
    await held.locator("button").click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    // the activity still shows the spend
    expect(await dialog.innerText()).toContain("Reward redeemed");

    // used at checkout: gone from the list on the next open
    await db.redemption.updateMany({ where: { code }, data: { status: "used" } });
    await page.keyboard.press("Escape");
    await page.locator(".rg-l").click();
    await expect.poll(() => held.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("tier progress, points about to expire, the order's date in the activity, and earning rates in English and Persian", async () => {
    const customer = String(newId());
    const id = await memberWithPoints(customer, 400);
    await db.customer.update({ where: { id }, data: { enrolledAt: new Date(Date.now() - 400 * DAY) } });
    // an imported order from 300 days ago whose points were credited today
    const processedAt = new Date(Date.now() - 300 * DAY);
    const order = await db.order.create({
      data: {
        shop: SHOP,
        shopifyId: `${customer}1`,
        name: "#1001",
        customerId: id,
        processedAt,
        subtotalCents: 25_000,
        totalCents: 25_000,
        currency: "USD",
      },
    });
    await db.$transaction((tx) =>
      appendEntry(tx, {
        shop: SHOP,
        customerId: id,
        delta: 250,
        kind: "earn",
        reason: "Order #1001",
        orderId: order.id,
        idempotencyKey: `test:${order.id}:earn`,
      }),
    );
    const { page, context, errors } = await newPage();
    await page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=en`);
    const dialog = page.locator(".rg-p[role=dialog]");
    await page.locator(".rg-l").click();
    await dialog.locator(".rg-bar").waitFor();
    // Silver at $200, Gold at $500: $250 is a sixth of the way
    expect(await dialog.locator(".rg-bar").getAttribute("aria-valuenow")).toBe("17");
    const text = await dialog.innerText();
    expect(text).toContain("Silver member");
    expect(text).toContain("Spend $250 more to reach Gold");
    expect(text).toContain("$250 spent in the last 365 days");
    expect(await dialog.locator(".rg-n").innerText()).toMatch(
      /^650 points expire on \w{3} \d{1,2}, \d{4}\. Place an order to keep them\.$/,
    );
    expect(text).toContain("1 point for every $1 spent");
    expect(text).toContain("150 points on your birthday");
    const orderDay = processedAt.toLocaleDateString("en", { dateStyle: "medium" });
    const earned = dialog.locator(".rg-hi", { hasText: "+250" });
    expect(await earned.innerText()).toContain(orderDay);
    expect(await earned.innerText()).not.toContain(new Date().toLocaleDateString("en", { dateStyle: "medium" }));
    await shot(page, "en-member.png", true);
    await axe(page, "en member");
    await context.close();

    const fa = await newPage();
    await fa.page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=fa`);
    const faDialog = fa.page.locator(".rg-p[role=dialog]");
    await fa.page.locator(".rg-l").click();
    await faDialog.locator(".rg-bar").waitFor();
    const faText = await faDialog.innerText();
    expect(faText).toMatch(/۱ امتیاز به ازای هر .*۱.* خرید/);
    expect(faText).toContain("۱۵۰ امتیاز در روز تولد شما");
    expect(faText).toContain("۶۵۰ امتیاز در ");
    // every number in Persian digits, except the names the merchant gave the rewards ("$5 off")
    expect(faText.replace(/\$\d+ off/g, "")).not.toMatch(/[0-9]/);
    await shot(fa.page, "fa-member.png", true);
    await axe(fa.page, "fa member");
    expect([...errors, ...fa.errors]).toEqual([]);
    await fa.context.close();
  });

  it("the birthday form stores month and day; a change within the year is refused with the day it may change", async () => {
    const customer = String(newId());
    await memberWithPoints(customer, 10);
    const { page, context, errors } = await newPage();
    await page.goto(`${app.url}/preview/storefront?customer=${customer}&locale=en`);
    const dialog = page.locator(".rg-p[role=dialog]");
    await page.locator(".rg-l").click();
    await dialog.getByLabel("Month").selectOption("07");
    await dialog.getByLabel("Day").selectOption("14");
    await dialog.locator('[data-f="bs"]').click();
    await expect
      .poll(() => db.customer.findFirst({ where: { shop: SHOP, shopifyId: customer } }).then((c) => c?.birthday))
      .toBe("07-14");
    await expect.poll(() => dialog.locator(".rg-sr").textContent()).toBe("Saved");

    await dialog.getByLabel("Month").selectOption("08");
    await dialog.locator('[data-f="bs"]').click();
    const next = new Date(Date.now() + 365 * DAY);
    await expect
      .poll(() => dialog.locator(".rg-e").textContent())
      .toMatch(/^You can change your birthday again on \w{3} \d{1,2}, \d{4}\.$/);
    const said = Date.parse((await dialog.locator(".rg-e").textContent())!.replace(/^.* on (.*)\.$/, "$1 UTC"));
    expect(Math.abs(said - next.getTime())).toBeLessThan(2 * DAY);
    expect((await db.customer.findFirst({ where: { shop: SHOP, shopifyId: customer } }))?.birthday).toBe("07-14");
    // the failed change answers 409: the page records it as a failed response
    expect(errors.filter((e) => !/^409 .*\/preview\/apps\/rewards\/api\/birthday$/.test(e))).toEqual([]);
    await shot(page, "en-birthday.png", true);
    await context.close();
  });

  it("a ?ref= landing puts the code in the cart attribute regulars_referral and welcomes the visitor, until the cart holds items", async () => {
    const { page, context, errors } = await newPage();
    const cart = () => page.evaluate(() => fetch("/preview/cart.js").then((r) => r.json()));
    await page.goto(`${app.url}/preview/storefront?locale=en&ref=FRIEND42`);
    // The loader writes the attribute once the page is idle: on a loaded CI box that can take more
    // than expect.poll's default second.
    await expect.poll(async () => (await cart()).attributes.regulars_referral, { timeout: 10_000 }).toBe("FRIEND42");
    // the launcher says so on the landing page, and the panel offers the welcome reward
    const launcher = page.locator(".rg-l");
    expect(await launcher.textContent()).toContain(translate("en", "regulars.panel.welcome_short"));
    await launcher.click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-n").waitFor();
    expect(await dialog.locator(".rg-n").textContent()).toBe(translate("en", "regulars.panel.welcome"));
    await shot(page, "en-referred.png", true);

    // the next page without ?ref= still carries it while the cart is empty
    expect(await page.evaluate(() => localStorage.getItem("rg_ref"))).toBe("FRIEND42");
    await page.evaluate(() => fetch("/preview/cart/add.js", { method: "POST" }));
    await page.goto(`${app.url}/preview/storefront?locale=fa`);
    await expect.poll(() => page.evaluate(() => localStorage.getItem("rg_ref")), { timeout: 10_000 }).toBeNull();
    expect((await cart()).attributes.regulars_referral).toBe("FRIEND42");
    expect(await page.locator(".rg-l").textContent()).not.toContain(translate("fa", "regulars.panel.welcome_short"));
    expect(errors).toEqual([]);
    await context.close();
  });
});
