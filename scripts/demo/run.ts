// `npm run demo`, after scripts/demo.sh has brought Node, dependencies, the build and the database:
// writes the demo shop's history for the emulated Shopify, starts the server in demo mode, installs
// the app in the demo shop through the app's own install path (token exchange → history import),
// sets up its program, credits past purchases, prints the two URLs and streams live orders.
// Every step is idempotent: a second run finds the shop installed and imported and goes straight on.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "../../app/config.server";
import { db } from "../../app/db.server";
import { requestCredit } from "../../app/backfill/credit.server";
import { restartBackfill } from "../../app/backfill/jobs.server";
import { embeddedAdminPath } from "../../app/demo/demo.server";
import { runDailyRules } from "../../app/loyalty/daily.server";
import { FLOW_TRIGGERS, recordTriggerUse } from "../../app/loyalty/flow-events.server";
import { loadProgram } from "../../app/loyalty/program.server";
import { referralLink } from "../../app/loyalty/referrals.server";
import { addSuggestedRewards, createReward } from "../../app/loyalty/rewards.server";
import { saveSettings } from "../../app/loyalty/settings.server";
import { dismissOnboarding, onboardingPending, saveEarning } from "../../app/onboarding/onboarding.server";
import { shopExportFile } from "../../app/shopify/emulator/admin-graphql";
import { writeEmulatedEmbed } from "../../app/shopify/emulator/themes";
import { FIRST_CUSTOMER_ID, generateHistory } from "./history";
import { startLiveOrders } from "./live";

const SEED = 20_26_12;
const HISTORY_VERSION = 1;
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

const settings = config();
const shop = settings.REGULARS_DEMO_SHOP;
const dir = path.resolve(settings.REGULARS_DEMO_DIR);
const emulatorDir = settings.SHOPIFY_EMULATOR_DIR ?? path.join(dir, "shopify");
const baseUrl = settings.SHOPIFY_APP_URL;
const started = Date.now();

// ---- one updating progress line (a plain line now and then when not on a terminal) -----------
const tty = process.stdout.isTTY;
let lastPlain = 0;
let lastText = "";
function progress(text: string, force = false) {
  if (tty) process.stdout.write(`\r\x1b[K${text}`);
  else if (force || (text !== lastText && Date.now() - lastPlain > 2000)) {
    process.stdout.write(`${text}\n`);
    lastPlain = Date.now();
  }
  lastText = text;
}
function done(text: string) {
  if (tty) process.stdout.write(`\r\x1b[K${text}\n`);
  else process.stdout.write(`${text}\n`);
  lastText = "";
}
const n = (value: number) => value.toLocaleString("en-US");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what}: gave up after ${timeoutMs / 1000} s (see ${path.join(dir, "server.log")})`);
    await sleep(300);
  }
}

// ---- 1. the emulated shop's history -------------------------------------------------------------
function writeHistory(): number[] {
  const meta = path.join(emulatorDir, "shops", shop, "history.json");
  const wanted = { version: HISTORY_VERSION, seed: SEED, customers: settings.REGULARS_DEMO_CUSTOMERS };
  const ids = () => Array.from({ length: settings.REGULARS_DEMO_CUSTOMERS }, (_, i) => FIRST_CUSTOMER_ID + i);
  try {
    const found = JSON.parse(readFileSync(meta, "utf8"));
    if (
      found.version === wanted.version &&
      found.seed === wanted.seed &&
      found.customers === wanted.customers &&
      existsSync(shopExportFile(emulatorDir, shop, "orders"))
    ) {
      return ids();
    }
  } catch {
    // not written yet
  }
  progress(`Drawing 18 months of history for ${n(wanted.customers)} customers…`, true);
  const history = generateHistory({ customers: wanted.customers, seed: SEED, end: new Date() }, (c) =>
    progress(`Drawing 18 months of history: ${n(c)} of ${n(wanted.customers)} customers…`),
  );
  mkdirSync(path.dirname(meta), { recursive: true });
  writeFileSync(shopExportFile(emulatorDir, shop, "orders"), history.orders);
  writeFileSync(shopExportFile(emulatorDir, shop, "customers"), history.customers);
  writeFileSync(meta, JSON.stringify({ ...wanted, orders: history.orderCount, end: new Date().toISOString() }));
  done(`The emulated shop holds ${n(history.orderCount)} orders from ${n(wanted.customers)} customers over 18 months.`);
  return history.customerIds;
}

// ---- 2. the server --------------------------------------------------------------------------------
function startServer() {
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, "server.log");
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, ["server.mjs"], { env: process.env, stdio: ["ignore", out, out] });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    process.stdout.write(`\nThe server stopped (${signal ?? `exit ${code}`}); its log: ${logFile}\n`);
    process.exit(1);
  });
  return child;
}

async function serving() {
  progress(`Starting the server on ${baseUrl}…`, true);
  await waitFor(
    "the server did not answer",
    async () => {
      try {
        return (await fetch(`${baseUrl}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    90_000,
  );
}

// ---- 3. install, program, history ---------------------------------------------------------------
/** Opens the admin as Shopify would on install: the library exchanges the session token (emulated Shopify answers) and the app's install hook runs. */
async function install() {
  const installed = await db.session.findUnique({ where: { id: `offline_${shop}` } });
  const response = await fetch(`${baseUrl}${embeddedAdminPath("/app")}`, {
    headers: { "User-Agent": BROWSER },
    redirect: "manual",
  });
  await response.arrayBuffer();
  // A shop opening the app for the first time is sent on to the onboarding (302); later, 200.
  if (response.status !== 200 && !(response.status === 302 && response.headers.get("location")?.startsWith("/app/onboarding")))
    throw new Error(`opening the demo shop's admin answered ${response.status} (see ${path.join(dir, "server.log")})`);
  await waitFor("the install did not finish", () => db.backfillJob.findUnique({ where: { shop } }), 30_000);
  return !installed;
}

/**
 * The demo program (idempotent): 1 point per dollar, every bonus (sign-up, first order, every 5th
 * order, birthday), referrals, three tiers with entry rewards and perks, the three starter rewards and a
 * store-credit reward. Earning goes through the onboarding's first step, as an owner would; the
 * onboarding is then put aside, so the dashboard opens with its "Finish setting up" card, and the
 * emulated live theme has the widget on (as the storefront preview shows it), which the
 * onboarding's check finds.
 */
async function setUpProgram() {
  writeEmulatedEmbed(emulatorDir, shop, "on");
  if (await onboardingPending(shop)) {
    await saveEarning(shop, { pointsPerUnit: 1, signupBonusEnabled: true, signupBonusPoints: 100 });
    await dismissOnboarding(shop);
  }
  const current = await loadProgram(db, shop);
  if (!current.tiersEnabled) {
    await saveSettings(shop, {
      ...current,
      pointsPerUnit: 1,
      signupBonusEnabled: true,
      signupBonusPoints: 100,
      firstOrderBonusEnabled: true,
      firstOrderBonusPoints: 50,
      nthOrderBonusEnabled: true,
      nthOrderBonusEvery: 5,
      nthOrderBonusPoints: 150,
      birthdayBonusEnabled: true,
      birthdayBonusPoints: 200,
      referralBonusEnabled: true,
      referralBonusPoints: 200,
      referralWelcomePoints: 100,
      tiersEnabled: true,
      tiers: [
        { name: "Bronze", minSpendCents: 0, multiplier: 1, entryRewardPoints: 0, perks: "" },
        { name: "Silver", minSpendCents: 25_000, multiplier: 1.25, entryRewardPoints: 250, perks: "Early access to sales" },
        { name: "Gold", minSpendCents: 75_000, multiplier: 1.5, entryRewardPoints: 500, perks: "Free shipping on every order" },
      ],
    });
  }
  await addSuggestedRewards(shop);
  if (!(await db.reward.findFirst({ where: { shop, kind: "store_credit" } }))) {
    await createReward(shop, { name: "$5 store credit", kind: "store_credit", pointsCost: 600, valueCents: 500 });
  }
  // As if the owner had Shopify Flow workflows on every Regulars trigger (what Flow's lifecycle
  // callback would report): the triggers' payloads land in <emulator dir>/flow.jsonl.
  for (const trigger of Object.values(FLOW_TRIGGERS)) {
    await recordTriggerUse({
      flow_trigger_definition_id: trigger,
      has_enabled_flow: true,
      shopify_domain: shop,
      timestamp: new Date().toISOString(),
    });
  }
}

async function importHistory() {
  let restarted = false;
  const job = await waitFor(
    "the history import failed",
    async () => {
      const job = await db.backfillJob.findUnique({ where: { shop } });
      if (!job) return null;
      if (job.status === "failed" && !restarted) {
        // An earlier run stopped mid-import: its bulk operation lived in that server's emulator and
        // is gone, so the import failed. Start it over once, as the owner's "import again" does.
        done(`The history import failed (${job.lastError}): importing it again.`);
        await restartBackfill(shop);
        restarted = true;
        return null;
      }
      if (job.status === "failed") throw new Error(`the history import failed: ${job.lastError}`);
      const total = job.linesTotal ? ` of ${n(job.linesTotal)}` : "";
      if (job.status !== "done")
        progress(`Importing the order history (Shopify bulk export, ${job.phase}): ${n(job.linesDone)}${total} lines…`);
      return job.status === "done" ? job : null;
    },
    15 * 60_000,
  );
  if (job.creditStatus !== "done") {
    await requestCredit(shop);
    await waitFor(
      "crediting past purchases failed",
      async () => {
        const j = await db.backfillJob.findUnique({ where: { shop } });
        if (j?.creditStatus === "failed") throw new Error(`crediting past purchases failed: ${j.lastError}`);
        progress(`Crediting points for past purchases: ${n(j?.creditedOrders ?? 0)} orders…`);
        return j?.creditStatus === "done";
      },
      15 * 60_000,
    );
  }
  const [orders, customers] = await Promise.all([db.order.count({ where: { shop } }), db.customer.count({ where: { shop } })]);
  done(`Imported ${n(orders)} orders and ${n(customers)} customers; points credited for past purchases.`);
  // Today's calendar rules at once (the server runs them daily): birthday bonuses due, tiers the
  // rolling year moved, expiry reminders. Idempotent per day, so a second demo run adds nothing.
  await runDailyRules(new Date(), shop);
  const [birthdays, tierMoves] = await Promise.all([
    db.customer.count({ where: { shop, birthday: { not: null } } }),
    db.tierChange.count({ where: { shop } }),
  ]);
  done(`${n(birthdays)} customers have a birthday on file; ${n(tierMoves)} tier moves in the members' history.`);
}

/** A shopper with points for every reward, but not the shop's very best customer. */
async function demoShopper() {
  const enough = await db.customer.findFirst({
    where: { shop, pointsBalance: { gte: 1000 }, redactedAt: null, email: { not: null } },
    orderBy: [{ pointsBalance: "asc" }, { id: "asc" }],
  });
  return enough ?? db.customer.findFirst({ where: { shop }, orderBy: { pointsBalance: "desc" } });
}

// ---- run ------------------------------------------------------------------------------------------
let stopping = false;
const customerIds = writeHistory();
const server = startServer();
const stop = () => {
  stopping = true;
  live?.stop();
  server.kill("SIGTERM");
  process.stdout.write("\n");
  setTimeout(() => process.exit(0), 3000).unref();
  server.on("exit", () => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
let live: ReturnType<typeof startLiveOrders> | undefined;

try {
  await serving();
  const fresh = await install();
  done(fresh ? `Installed Regulars in ${shop} (emulated Shopify).` : `Regulars is installed in ${shop}.`);
  await setUpProgram();
  await importHistory();
  const shopper = await demoShopper();
  if (!shopper) throw new Error("the demo shop has no customers");
  const storefront = `${baseUrl}/preview/storefront?shop=${shop}&customer=${shopper.shopifyId}`;
  process.stdout.write(`\nAdmin: ${baseUrl}/demo/admin\n`);
  process.stdout.write(`Storefront: ${storefront}\n`);
  process.stdout.write(
    `Try: the dashboard's retention and revenue, a customer's points history, the Program page; in the storefront, ` +
      `open Rewards and redeem one with ${shopper.firstName ?? "the shopper"}'s ${n(shopper.pointsBalance)} points ` +
      `(the store credit one then shows on their customer page in the admin). Ctrl-C stops.\n`,
  );
  process.stdout.write(
    `(ready in ${((Date.now() - started) / 1000).toFixed(1)} s; server log: ${path.relative(process.cwd(), path.join(dir, "server.log"))})\n\n`,
  );
  if (settings.REGULARS_DEMO_WEBHOOKS_PER_SECOND > 0) {
    // The shop's best customers share their links; their friends arrive with the live orders.
    const advocates = await db.customer.findMany({
      where: { shop, redactedAt: null },
      orderBy: { pointsBalance: "desc" },
      take: 25,
    });
    const referralCodes = await Promise.all(advocates.map(async (c) => (await referralLink(db, shop, c.id)).code));
    live = startLiveOrders({
      baseUrl,
      shop,
      secret: settings.SHOPIFY_API_SECRET,
      perSecond: settings.REGULARS_DEMO_WEBHOOKS_PER_SECOND,
      customerIds,
      referralCodes,
      onTick: (c) =>
        progress(
          `Live webhooks: ${n(c.orders)} orders (${n(c.newCustomers)} new customers, ${n(c.referred)} referred), ${n(c.refunds)} refunds, ${n(c.cancellations)} cancellations${c.refused ? `, ${n(c.refused)} refused` : ""}`,
        ),
    });
  }
} catch (error) {
  process.stdout.write(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  stop();
  process.exitCode = 1;
}
