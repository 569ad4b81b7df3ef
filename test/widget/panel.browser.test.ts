/**
 * The rewards widget in a real browser (Debian chromium via playwright-core), against
 * the fixture storefront page (test/widget/fixture-page.ts) and a fake app proxy
 * (`/apps/rewards/api/*`) served from 127.0.0.1 — not the real app server.
 *
 * Covers: Liquid first paint, panel code loaded only on first open, keyboard open,
 * focus trap, redeem (Idempotency-Key reused on retry, new per attempt), code + Apply
 * to cart + new balance, codes held from earlier visits, a store-credit answer, the
 * referral link's copy, tier progress, the expiry notice, earning rates from numbers,
 * the birthday form, friendly errors, Escape + focus return, guests, the inline
 * page block, Persian RTL with Persian digits, reduced motion, and axe-core with zero
 * serious/critical violations. Screenshots go to test-results/widget/ (and /tmp/widget-*.png).
 * Skipped when chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { useChromium } from "../support/browser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWidget } from "../../scripts/build-widget";
import { renderFixturePage, translate } from "./fixture-page";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-results/widget");
const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");

// ---- fake app proxy -------------------------------------------------------------------
interface Redeem {
  key: string | undefined;
  body: unknown;
  contentType: string | undefined;
}
const state = {
  customer: true,
  points: 1250,
  named: true,
  fail: [] as number[], // statuses to answer the next redeem requests with
  memberFail: [] as number[], // statuses to answer the next member requests with
  redeems: [] as Redeem[],
  codes: 0,
  held: [] as { code: string; rewardName: string; kind: string; value: number; pointsSpent: number; expiresAt: string }[],
  birthday: null as string | null,
  birthdays: [] as unknown[], // bodies of POST /api/birthday
  referral: true,
};
const REWARDS = [
  { id: "r5", name: "$5 off", kind: "amount_off", pointsCost: 500, value: 5 },
  { id: "ship", name: "Free shipping", kind: "free_shipping", pointsCost: 800, value: 0 },
  { id: "r10", name: "10% off", kind: "percent_off", pointsCost: 1000, value: 10, minimumSubtotal: 50 },
  { id: "r25", name: "$25 off", kind: "amount_off", pointsCost: 2500, value: 25 },
  { id: "sc", name: "Store credit", kind: "store_credit", pointsCost: 300, value: 5 },
];
const cost = (id: string) => REWARDS.find((r) => r.id === id)?.pointsCost ?? 0;

function member() {
  const rewards = REWARDS.map(({ name, ...r }) => (state.named ? { name, ...r } : r));
  if (!state.customer)
    return { customerId: null, points: 0, tier: null, nextTier: null, rewards, history: [], waysToEarn: ways() };
  return {
    customerId: "7001",
    points: state.points,
    tier: { name: "Silver", multiplier: 1.25 },
    nextTier: { name: "Gold", pointsNeeded: 750, progress: 0.625 },
    tierProgress: { spend: 279.5, windowDays: 365, nextTierAt: 700, spendNeeded: 420.5 },
    birthday: state.birthday,
    expiring: { points: state.points, on: "2026-03-01" },
    codes: state.held,
    referral: state.referral ? { code: "SAM7001", url: "https://fixture.example/?ref=SAM7001" } : null,
    rewards,
    history: [
      // an imported order: credited in 2025-05, placed in 2024-11
      {
        id: "h1",
        delta: 120,
        kind: "earn",
        reason: "Order #1001",
        createdAt: "2025-05-01T10:00:00Z",
        date: "2024-11-20T10:00:00Z",
      },
      {
        id: "h2",
        delta: -500,
        kind: "redeem",
        reason: "$5 off",
        createdAt: "2025-04-12T10:00:00Z",
        date: "2025-04-12T10:00:00Z",
      },
    ],
    waysToEarn: ways(),
  };
}
const ways = () => [
  { kind: "order", label: "1 point for every 1 spent", rate: 1 },
  { kind: "nth_order", label: "100 points on every 5th order", points: 100, every: 5 },
  { kind: "birthday", label: "100 points on your birthday", points: 100 },
  { kind: "referral", label: "200 points for each friend you refer", points: 200 },
];

let assets = "";
let server: Server;
let base = "";

function send(res: ServerResponse, status: number, body: string, type = "application/json") {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, base);
  if (url.pathname === "/") {
    const q = url.searchParams;
    return send(
      res,
      200,
      renderFixturePage({
        locale: q.get("locale") ?? "en",
        customer: state.customer,
        points: state.customer ? state.points : null,
        inline: q.has("inline"),
        withEmbed: q.has("embed"),
        position: (q.get("position") as "bottom-left" | null) ?? "bottom-right",
      }),
      "text/html; charset=utf-8",
    );
  }
  if (url.pathname.startsWith("/assets/")) {
    const file = resolve(assets, url.pathname.slice("/assets/".length));
    if (!file.startsWith(assets) || !existsSync(file)) return send(res, 404, "not found", "text/plain");
    return send(res, 200, readFileSync(file, "utf8"), file.endsWith(".css") ? "text/css" : "text/javascript");
  }
  if (url.pathname === "/apps/rewards/api/member" && req.method === "GET") {
    const fail = state.memberFail.shift();
    return fail ? send(res, fail, JSON.stringify({ error: "nope" })) : send(res, 200, JSON.stringify(member()));
  }
  if (url.pathname === "/apps/rewards/api/redeem" && req.method === "POST") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as { rewardId: string };
    state.redeems.push({ key: req.headers["idempotency-key"] as string, body, contentType: req.headers["content-type"] });
    const fail = state.fail.shift();
    if (fail) return send(res, fail, JSON.stringify({ error: "nope" }));
    if (!state.customer) return send(res, 401, JSON.stringify({ error: "signed_out" }));
    if (state.points < cost(body.rewardId)) return send(res, 409, JSON.stringify({ error: "insufficient_points" }));
    state.points -= cost(body.rewardId);
    if (body.rewardId === "sc")
      return send(
        res,
        200,
        JSON.stringify({ storeCredit: { amount: "5.00", currency: "USD" }, pointsSpent: 300, points: state.points }),
      );
    state.codes++;
    const reward = REWARDS.find((r) => r.id === body.rewardId)!;
    const issued = { code: `REG-7FQ2-K9X${state.codes}`, pointsSpent: cost(body.rewardId), expiresAt: "2025-12-31T00:00:00Z" };
    state.held.unshift({ ...issued, rewardName: reward.name, kind: reward.kind, value: reward.value });
    return send(res, 200, JSON.stringify({ ...issued, points: state.points }));
  }
  if (url.pathname === "/apps/rewards/api/birthday" && req.method === "POST") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const { birthday } = JSON.parse(raw) as { birthday: string };
    state.birthdays.push(birthday);
    if (state.birthday && state.birthday !== birthday)
      return send(res, 409, JSON.stringify({ error: "birthday_locked", birthday: state.birthday, changeableOn: "2026-07-14" }));
    state.birthday = birthday;
    return send(res, 200, JSON.stringify({ birthday }));
  }
  return send(res, 404, "<!doctype html><title>elsewhere</title><p>elsewhere</p>", "text/html");
}

// ---- helpers --------------------------------------------------------------------------
const browser = useChromium();

async function newPage(opts: { reducedMotion?: "reduce" | "no-preference"; width?: number } = {}) {
  const context: BrowserContext = await browser().newContext({
    viewport: { width: opts.width ?? 1280, height: 860 },
    reducedMotion: opts.reducedMotion ?? "no-preference",
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, context, requests, errors };
}

const active = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return {
      inDialog: !!a?.closest(".rg-p[role=dialog]"),
      launcher: !!a?.classList.contains("rg-l"),
      text: a?.textContent?.trim() ?? "",
      tag: a?.tagName,
    };
  });

async function tabToLauncher(page: Page) {
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if ((await active(page)).launcher) return;
  }
  throw new Error("the launcher is not reachable with Tab");
}

async function axe(page: Page, name: string) {
  await settle(page);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ["violations"] });

    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: { target: string[] }) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical");
  if (result.length) console.log(`axe (${name}):`, JSON.stringify(result, null, 1));
  expect(bad, `axe serious/critical violations (${name})`).toEqual([]);
}

/** Wait until the opening animation (if any) has finished: stable screenshots and contrast checks. */
const settle = (page: Page) => page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
const shot = async (page: Page, name: string, full = false) => {
  await settle(page);
  await page.screenshot({ path: join(SHOTS, name) });
  // the whole dialog in one picture (no scrolling), for a look outside the test run
  if (full) {
    const size = page.viewportSize()!;
    const panel = page.locator(".rg-p:not([hidden])").first();
    await page.setViewportSize({ width: size.width, height: 2400 });
    await panel.evaluate((e) => (e.style.maxBlockSize = "none"));
    await panel.screenshot({ path: `/tmp/widget-${name}` });
    await panel.evaluate((e) => (e.style.maxBlockSize = ""));
    await page.setViewportSize(size);
  }
};
const tEn = (k: string) => translate("en", `regulars.panel.${k}`);
const tFa = (k: string) => translate("fa", `regulars.panel.${k}`);

// ---- tests ----------------------------------------------------------------------------
describe("rewards widget in chromium", () => {
  beforeAll(async () => {
    assets = mkdtempSync(join(tmpdir(), "regulars-widget-assets-"));
    await buildWidget({ outdir: assets });
    mkdirSync(SHOTS, { recursive: true });
    server = createServer((req, res) => {
      handle(req, res).catch((e) => send(res, 500, String(e), "text/plain"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    if (assets) rmSync(assets, { recursive: true, force: true });
  });
  beforeEach(() => {
    Object.assign(state, {
      customer: true,
      points: 1250,
      named: true,
      fail: [],
      memberFail: [],
      redeems: [],
      codes: 0,
      held: [],
      birthday: null,
      birthdays: [],
      referral: true,
    });
  });

  it("English: keyboard open, balance, redeem with retry, code, Escape returns focus", async () => {
    const { page, context, requests, errors } = await newPage();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await page.goto(`${base}/?locale=en`);

    // first paint is Liquid: the balance from the metafield, no panel code yet
    const launcher = page.locator(".rg-l");
    await expect.poll(() => launcher.textContent()).toContain("1250 points");
    expect(await launcher.getAttribute("aria-haspopup")).toBe("dialog");
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    await page.waitForFunction(() => (window as unknown as { __rg?: number }).__rg === 1);
    expect(requests.filter((u) => u.includes("regulars-panel"))).toEqual([]);
    expect(requests).not.toContain("/apps/rewards/api/member");
    await shot(page, "en-closed.png");

    // open with the keyboard
    await tabToLauncher(page);
    await page.keyboard.press("Enter");
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    expect(await dialog.isVisible()).toBe(true);
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    expect(await dialog.getAttribute("aria-modal")).toBe("true");
    expect((await active(page)).inDialog).toBe(true);
    expect(requests.filter((u) => u.includes("regulars-panel"))).toEqual(["/assets/regulars-panel.js"]);
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("1,250 points");
    expect(await launcher.textContent()).toContain("1,250 points");
    const body = await dialog.innerText();
    expect(body).toContain("Silver member");
    expect(body).toContain("750 more points to reach Gold");
    // ways to earn, worded from the numbers by kind
    expect(body).toContain("1 point for every $1 spent");
    expect(body).toContain("100 points for every 5 orders");
    expect(body).toContain("100 points on your birthday");
    expect(body).toContain("Recent activity");
    // the order's date, not the day its points were credited
    expect(body).toContain("Nov 20, 2024");
    expect(body).not.toContain("May 1, 2025");
    // tier progress and the expiry notice
    expect(await dialog.locator(".rg-bar").getAttribute("aria-valuenow")).toBe("63");
    expect(body).toContain("$279.50 spent in the last 365 days");
    expect(body).toContain("1,250 points expire on Mar 1, 2026. Place an order to keep them.");
    // unaffordable reward: disabled, with the points still needed
    const r25 = dialog.locator('[data-f="rr25"]');
    expect(await r25.isDisabled()).toBe(true);
    expect(body).toContain("1,250 more points needed");
    await shot(page, "en-open.png");
    await axe(page, "en open");

    // focus stays in the dialog while tabbing, both ways
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      expect((await active(page)).inDialog, `Tab #${i + 1}`).toBe(true);
    }
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Shift+Tab");
      expect((await active(page)).inDialog, `Shift+Tab #${i + 1}`).toBe(true);
    }

    // redeem: the first attempt meets a 503, the retry reuses the Idempotency-Key
    state.fail = [503];
    await dialog.locator('[data-f="rr5"]').focus();
    await page.keyboard.press("Enter");
    await dialog.locator(".rg-e").first().waitFor();
    expect(await dialog.locator(".rg-e").textContent()).toBe(tEn("error_unavailable"));
    expect(await dialog.locator(".rg-e").getAttribute("role")).toBe("alert");
    expect((await active(page)).text).toBe("Redeem"); // focus back on the same button
    await page.keyboard.press("Enter");
    await dialog.locator("li.rg-ok code").waitFor();
    expect(state.redeems).toHaveLength(2);
    expect(state.redeems[0].key).toMatch(/^[\w-]{16,}$/);
    expect(state.redeems[1].key).toBe(state.redeems[0].key);
    expect(state.redeems[1].body).toEqual({ rewardId: "r5" });
    expect(state.redeems[1].contentType).toBe("application/json");

    // the code under "Your rewards", copy, apply-to-cart and the new balance at once
    const held = dialog.locator("li.rg-ok");
    expect(await held.locator("code").textContent()).toBe("REG-7FQ2-K9X1");
    expect(await held.locator("a").getAttribute("href")).toBe("/discount/REG-7FQ2-K9X1?redirect=/cart");
    expect(await held.innerText()).toContain("500 points spent");
    expect(await held.innerText()).toContain("Expires Dec 31, 2025");
    expect(await dialog.innerText()).toContain(tEn("your_rewards"));
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("750 points");
    expect(await launcher.textContent()).toContain("750 points");
    expect((await active(page)).text).toBe("Copy");
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.locator('[data-f="cREG-7FQ2-K9X1"]').textContent()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("REG-7FQ2-K9X1");
    await shot(page, "en-redeemed.png", true);
    await axe(page, "en redeemed");

    // a new attempt gets a new key; a 409 shows the friendly message
    state.fail = [409];
    await dialog.locator('[data-f="rr5"]').click();
    await expect.poll(() => dialog.locator(".rg-e").first().textContent()).toBe(tEn("error_not_enough_points"));
    expect(state.redeems[2].key).not.toBe(state.redeems[0].key);
    for (const [status, key] of [
      [429, "error_too_many_requests"],
      [401, "error_signed_out"],
      [403, "error_signed_out"],
    ] as const) {
      state.fail = [status];
      await dialog.locator('[data-f="rr5"]').click();
      await expect.poll(() => dialog.locator(".rg-e").first().textContent()).toBe(tEn(key));
    }

    // Escape closes and gives focus back to the launcher
    await page.keyboard.press("Escape");
    expect(await dialog.isHidden()).toBe(true);
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    expect((await active(page)).launcher).toBe(true);
    // and it opens again (toggle)
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "visible" });
    await launcher.click();
    expect(await dialog.isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("Persian: right-to-left, Persian digits, mirrored position, redeem", async () => {
    state.named = false; // rewards described from kind/value in Persian
    const { page, context, errors } = await newPage();
    await page.goto(`${base}/?locale=fa`);
    const root = page.locator(".rg");
    expect(await root.getAttribute("dir")).toBe("rtl");
    const launcher = page.locator(".rg-l");
    // Liquid first paint already uses Persian digits
    expect(await launcher.textContent()).toContain("۱۲۵۰ امتیاز");
    expect(await launcher.textContent()).toContain("جوایز");
    // "bottom right" is the inline end: on the left in RTL
    const lb = (await launcher.boundingBox())!;
    expect(lb.x).toBeLessThan(640);

    await launcher.click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    const db = (await dialog.boundingBox())!;
    expect(db.x).toBeLessThan(640);
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("۱٬۲۵۰ امتیاز");
    // every number in Persian digits (the referral link is a URL: Latin, left to right)
    const text = (await dialog.innerText()).replace(/https:\S+/g, "");
    expect(text).not.toMatch(/[0-9]/);
    expect(text).toContain("۷۵۰ امتیاز دیگر تا سطح Gold");
    expect(text).toContain(tFa("free_shipping"));
    // earning rates, tier spend and the expiry notice in Persian words and digits
    expect(text).toMatch(/۱ امتیاز به ازای هر .*۱.* خرید/);
    expect(text).toContain("۱۰۰ امتیاز به ازای هر ۵ سفارش");
    expect(text).toContain("خرید در ۳۶۵ روز گذشته");
    expect(text).toContain(tFa("month"));
    expect(await dialog.evaluate((e) => getComputedStyle(e).direction)).toBe("rtl");
    expect(await dialog.locator("h2").evaluate((e) => getComputedStyle(e).textAlign)).toBe("start");
    await shot(page, "fa-open.png");
    await axe(page, "fa open");

    await dialog.locator('[data-f="rr5"]').click();
    await dialog.locator("li.rg-ok code").waitFor();
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("۷۵۰ امتیاز");
    expect(await launcher.textContent()).toContain("۷۵۰ امتیاز");
    expect(await dialog.locator("li.rg-ok").innerText()).toContain(tFa("apply"));
    expect((await dialog.innerText()).replace(/https:\S+|REG-\w+-\w+/g, "")).not.toMatch(/[0-9]/);
    await shot(page, "fa-redeemed.png", true);
    await axe(page, "fa redeemed");

    await page.keyboard.press("Escape");
    expect(await dialog.isHidden()).toBe(true);
    expect((await active(page)).launcher).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("codes redeemed earlier stay listed after a reload; store credit is announced without a code; the referral link copies", async () => {
    const { page, context, errors } = await newPage();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    await page.goto(`${base}/?locale=en`);
    const dialog = page.locator(".rg-p[role=dialog]");
    await page.locator(".rg-l").click();
    await dialog.locator('[data-f="rr5"]').click();
    await dialog.locator("li.rg-ok code").waitFor();

    // a new visit: the member API lists the code, with copy and apply
    await page.reload();
    await page.locator(".rg-l").click();
    const held = dialog.locator("li.rg-ok");
    await held.first().waitFor();
    expect(await held.count()).toBe(1);
    expect(await held.locator("code").textContent()).toBe("REG-7FQ2-K9X1");
    expect(await held.locator("strong").textContent()).toBe("$5 off");
    expect(await held.locator("a").getAttribute("href")).toBe("/discount/REG-7FQ2-K9X1?redirect=/cart");
    await held.locator("button").click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("REG-7FQ2-K9X1");

    // store credit: the answer carries no code, so nothing joins "Your rewards"
    await dialog.locator('[data-f="rsc"]').click();
    const note = dialog.locator("p.rg-ok");
    await note.waitFor();
    expect(await note.innerText()).toContain("$5 store credit added, spendable at checkout");
    expect(await note.innerText()).toContain("300 points spent");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("rg-ok"))).toBe(true);
    expect(await held.count()).toBe(1);
    expect(await dialog.locator(".rg-b strong").textContent()).toBe("450 points");

    // the referral link, and its copy button
    expect(await dialog.innerText()).toContain("and you get 200 points");
    await dialog.locator('[data-f="rl"]').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("https://fixture.example/?ref=SAM7001");
    expect(await dialog.locator('[data-f="rl"]').textContent()).toBe("Copied");
    await shot(page, "en-codes.png", true);
    await axe(page, "en codes");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the birthday form saves month and day, and a change within the year says when it may change", async () => {
    const { page, context, errors } = await newPage();
    await page.goto(`${base}/?locale=en`);
    await page.locator(".rg-l").click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator('select[name="bm"]').waitFor();
    expect(await dialog.locator('select[name="bm"] option[value="07"]').textContent()).toBe("July");
    await dialog.getByLabel(tEn("month")).selectOption("07");
    await dialog.getByLabel(tEn("day")).selectOption("14");
    await dialog.locator('[data-f="bs"]').click();
    await expect.poll(() => state.birthday).toBe("07-14");
    await expect.poll(() => dialog.locator(".rg-sr").textContent()).toBe(tEn("saved"));
    expect(await dialog.locator('select[name="bm"]').inputValue()).toBe("07");

    await dialog.getByLabel(tEn("month")).selectOption("08");
    await dialog.locator('[data-f="bs"]').click();
    await expect.poll(() => dialog.locator(".rg-e").textContent()).toBe("You can change your birthday again on Jul 14, 2026.");
    expect(await dialog.locator(".rg-e").getAttribute("role")).toBe("alert");
    expect(state.birthdays).toEqual(["07-14", "08-14"]);
    expect(state.birthday).toBe("07-14");
    await shot(page, "en-birthday.png", true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("guests see the program and sign-in / sign-up links", async () => {
    state.customer = false;
    const { page, context, errors } = await newPage();
    await page.goto(`${base}/?locale=en&position=bottom-left`);
    const launcher = page.locator(".rg-l");
    expect((await launcher.textContent())?.trim()).toBe("Rewards");
    expect((await launcher.boundingBox())!.x).toBeLessThan(640);
    await launcher.click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator('a[href="/account/login"]').waitFor();
    expect(await dialog.locator('a[href="/account/register"]').textContent()).toBe(tEn("sign_up"));
    expect(await dialog.innerText()).toContain(tEn("guest"));
    expect(await dialog.locator("[data-f^=r]").count()).toBe(0); // no redeem buttons
    await shot(page, "guest-open.png");
    await axe(page, "guest open");
    await page.keyboard.press("Escape");
    expect((await active(page)).launcher).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a failed balance load shows a friendly error and a working retry", async () => {
    state.memberFail = [503];
    const { page, context, errors } = await newPage();
    await page.goto(`${base}/?locale=en`);
    await page.locator(".rg-l").click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-e").waitFor();
    expect(await dialog.locator(".rg-e").innerText()).toContain(tEn("error_unavailable"));
    await dialog.locator(".rg-e button").click();
    await dialog.locator(".rg-b strong").waitFor();
    expect(await dialog.locator(".rg-e").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("Rewards page block renders the panel inline (with the embed on the same page); narrow screen; reduced motion", async () => {
    const { page, context, requests, errors } = await newPage({ width: 420, reducedMotion: "reduce" });
    await page.goto(`${base}/?locale=en&inline&embed`);
    const panel = page.locator(".rg-inline .rg-p");
    await panel.locator(".rg-r").first().waitFor();
    expect(await panel.getAttribute("role")).toBeNull();
    expect(await page.locator(".rg-inline .rg-l").count()).toBe(0);
    // two blocks, one loader run, one panel module, one member request
    expect(requests.filter((u) => u === "/assets/regulars-panel.js")).toHaveLength(1);
    expect(requests.filter((u) => u === "/apps/rewards/api/member")).toHaveLength(1);
    expect(await panel.locator(".rg-b strong").textContent()).toBe("1,250 points");
    await panel.locator('[data-f="rr5"]').click();
    await panel.locator("li.rg-ok code").waitFor();
    // the floating launcher follows the balance spent on the page
    expect(await page.locator(".rg-l").textContent()).toContain("750 points");
    await shot(page, "inline-page.png");
    await axe(page, "inline page");
    expect(errors).toEqual([]);
    await context.close();

    // the floating dialog on a phone, with reduced motion: no animation
    const m = await newPage({ width: 390, reducedMotion: "reduce" });
    await m.page.goto(`${base}/?locale=en`);
    await m.page.locator(".rg-l").click();
    const dialog = m.page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    expect(await dialog.evaluate((e) => getComputedStyle(e).animationName)).toBe("none");
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await shot(m.page, "phone-open.png");
    await m.context.close();
  });
});
