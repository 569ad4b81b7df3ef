// `npm run demo` as a newcomer meets it: scripts/demo.sh started as the npm script starts it (a
// smaller shop: REGULARS_DEMO_CUSTOMERS), its printed Admin and Storefront URLs opened in headless
// Chromium with no Shopify anywhere (no App Bridge, Shopify's CDN unreachable). The admin shows the
// imported history's numbers and navigates; the storefront preview's shopper redeems a reward.
// Screenshots in test-results/demo/ (look at them).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser";

const SHOTS = path.resolve("test-results/demo");
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let demo: ChildProcess;
let output = "";
let admin: string;
let storefront: string;
let browser: Browser;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await freePort()),
    REGULARS_DEMO_DIR: mkdtempSync(path.join(tmpdir(), "regulars-demo-")),
    REGULARS_DEMO_CUSTOMERS: "300",
    REGULARS_DEMO_WEBHOOKS_PER_SECOND: "2",
  };
  for (const name of ["DATABASE_URL", "SHOPIFY_EMULATOR_DIR", "NODE_ENV", "REGULARS_ALLOW_DEV_TOOLS"]) delete env[name];
  // Its own process group, so the test can stop the script and the server it started together.
  demo = spawn("bash", ["scripts/demo.sh"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  demo.stdout!.on("data", (d) => (output += d));
  demo.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 240_000;
  while (!/^Storefront: /m.test(output)) {
    if (demo.exitCode !== null) throw new Error(`npm run demo exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm run demo printed no URLs:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  admin = /^Admin: (\S+)$/m.exec(output)![1];
  storefront = /^Storefront: (\S+)$/m.exec(output)![1];
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (demo?.pid && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo.on("exit", resolve));
    process.kill(-demo.pid, "SIGTERM");
    await exited;
  }
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: UA });
  await context.route(/cdn\.shopify\.com/, (route) => route.abort()); // no Shopify out there
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && errors.push(`${r.status()} ${r.url()}`));
  return { page, errors };
}

const number = (text: string) => Number(text.replace(/[$,%]/g, ""));

async function kpi(page: Page, title: string): Promise<string> {
  const text = await page.locator("body").innerText();
  const match = new RegExp(`(?:^|\\n)${title}\\n+([^\\n]+)`).exec(text);
  if (!match) throw new Error(`no "${title}" on the dashboard`);
  return match[1];
}

describe("npm run demo", () => {
  it("prints exactly one Admin line, one Storefront line and what to try", () => {
    expect(output.match(/^Admin: /gm)).toHaveLength(1);
    expect(output.match(/^Storefront: /gm)).toHaveLength(1);
    expect(output).toMatch(/^Try: .*redeem/m);
    expect(admin).toMatch(/^http:\/\/localhost:\d+\/demo\/admin$/);
  });

  it("opens the embedded admin in a plain browser: the dashboard has orders, revenue and retention, and a customer opens", async () => {
    const { page, errors } = await newPage();
    await page.goto(admin);
    await page.getByText("Retention rate").first().waitFor({ timeout: 60_000 });
    expect(number(await kpi(page, "Orders"))).toBeGreaterThan(0);
    expect(number(await kpi(page, "Revenue"))).toBeGreaterThan(0);
    expect(number(await kpi(page, "Retention rate"))).toBeGreaterThan(0);
    // The in-page navigation (App Bridge is absent): one proper bar, not run-together raw links.
    const nav = page.getByRole("navigation", { name: "Regulars" });
    await expect(nav.getByRole("link", { name: "Customers" }).isVisible()).resolves.toBe(true);
    expect(await page.locator("ui-nav-menu").isVisible()).toBe(false);
    await page.screenshot({ path: path.join(SHOTS, "1-dashboard.png"), fullPage: true });

    await nav.getByRole("link", { name: "Customers" }).click();
    await page.waitForURL(/\/app\/customers$/);
    const first = page.locator("a[href^='/app/customers/']:not([href='/app/customers/import'])").first();
    await first.waitFor();
    const name = (await first.innerText()).trim();
    await page.screenshot({ path: path.join(SHOTS, "2-customers.png") });
    await first.click();
    await page.getByRole("heading", { name: "Points history" }).waitFor();
    expect(await page.locator("body").innerText()).toContain(name);
    // A form post (a Remix action fetch): authenticated by the stand-in's token like App Bridge's.
    const before = Number((await page.locator("[data-balance]").innerText()).replace(/,/g, ""));
    await page.getByLabel("Points", { exact: true }).fill("25");
    await page.getByLabel("Reason").fill("Demo: thanks for the review");
    await page.getByRole("button", { name: "Adjust points" }).click();
    await page.waitForFunction(
      (n) => document.querySelector("[data-balance]")?.textContent?.replace(/,/g, "") === String(n),
      before + 25,
    );
    await page.getByText("Demo: thanks for the review").first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, "3-customer.png"), fullPage: true });

    // A reload after navigating (no admin parameters in the URL) signs in again at the same page.
    await page.reload();
    await page.getByRole("heading", { name: "Points history" }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/app\/customers\/\d+$/);
    expect(errors).toEqual([]);
  }, 120_000);

  it("offers to finish setting up; the onboarding's widget check answers through the emulated Shopify", async () => {
    const { page, errors } = await newPage();
    await page.goto(admin);
    const card = page.locator("[data-resume-onboarding]");
    await card.waitFor({ timeout: 60_000 });
    await card.getByRole("link", { name: "Resume setup" }).click();
    await page.waitForURL(/\/app\/onboarding/);
    // Earning and rewards were set up by the demo; the widget step checks the emulated live theme.
    await page.waitForSelector('[data-embed-state="on"]');
    await page.waitForSelector('[data-check="embed"][data-done="true"]');
    expect(await page.locator("[data-done=true]").count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, "1b-onboarding.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);

  it("opens the storefront preview as a shopper with points, who redeems a reward and sees the code and the new balance", async () => {
    const { page, errors } = await newPage();
    await page.goto(storefront);
    await page.locator(".rg-l").click();
    const dialog = page.locator(".rg-p[role=dialog]");
    await dialog.locator(".rg-b strong").waitFor();
    const before = number((await dialog.locator(".rg-b strong").innerText()).replace(/ points?$/, ""));
    expect(before).toBeGreaterThanOrEqual(1000);
    await page.screenshot({ path: path.join(SHOTS, "4-storefront.png") });
    const reward = dialog.locator("[data-f^=r]:enabled").first();
    await reward.click();
    // The reward's code, not the referral link (also a copyable row, marked as a link).
    const redeemed = dialog.locator(".rg-code code:not(.rg-u)").first();
    await redeemed.waitFor({ timeout: 30_000 });
    const code = await redeemed.innerText();
    expect(code).toMatch(/^[A-Z0-9-]{6,}$/);
    const after = number((await dialog.locator(".rg-b strong").innerText()).replace(/ points?$/, ""));
    expect(after).toBeLessThan(before);
    await page.screenshot({ path: path.join(SHOTS, "5-redeemed.png") });
    expect(errors).toEqual([]);
  }, 60_000);

  it("a store-credit redemption in the storefront preview shows the credit on the customer's admin page", async () => {
    const { page } = await newPage();
    await page.goto(storefront);
    const origin = new URL(storefront).origin;
    const customer = new URL(storefront).searchParams.get("customer");
    // Through the preview's app proxy, with the preview shopper's cookies, as the widget calls it.
    const member = await (await page.request.get(`${origin}/preview/apps/rewards/api/member`)).json();
    const credit = member.rewards.find((r: { kind: string }) => r.kind === "store_credit");
    expect(credit).toBeTruthy();
    const redeemed = await page.request.post(`${origin}/preview/apps/rewards/api/redeem`, {
      data: { rewardId: Number(credit.id) },
      headers: { "Idempotency-Key": `demo-credit-${Date.now()}` },
    });
    expect(redeemed.status()).toBe(200);
    expect(await redeemed.json()).toMatchObject({ storeCredit: { amount: "5.00", currency: "USD" } });

    await page.goto(admin);
    await page.getByText("Retention rate").first().waitFor({ timeout: 60_000 });
    await page.goto(`${origin}/app/customers/${customer}`);
    await page.getByRole("heading", { name: "Points history" }).waitFor();
    expect(await page.locator("[data-store-credit]").innerText()).toBe("Store credit: $5.00");
    await page.screenshot({ path: path.join(SHOTS, "6-store-credit.png"), fullPage: true });
  }, 90_000);

  it("streams live orders as signed webhooks that the app accepts", async () => {
    const deadline = Date.now() + 30_000;
    while (!/Live webhooks: [1-9]/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(output).toMatch(/Live webhooks: [1-9][\d,]* orders/);
    expect(output).not.toMatch(/refused/);
  }, 40_000);
});
