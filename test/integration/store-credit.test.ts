// Store-credit rewards end to end: the built server, a real database, Shopify's Admin API answered
// by the emulator inside the server process. The storefront redeems through the app proxy, the
// customer-account and checkout extensions through their session-token routes, and the admin's
// customer page shows the customer's Shopify store credit afterwards.
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { writeFaults } from "../../app/shopify/emulator/admin-graphql";
import { readStoreCredits } from "../../app/shopify/emulator/store-credit";
import { BROWSER_USER_AGENT, embeddedUrl, storeAdminSessions } from "../support/admin-session";
import { useFreshDatabase, usingPostgres } from "../support/database";
import { entriesOf, pointsOf } from "../support/ledger";
import { memberWithPoints, redeemRequest } from "../support/proxy";
import { startApp, TEST_API_KEY, TEST_SECRET, type RunningApp } from "../support/server";
import { newId, SHOP } from "../support/shopify";

let app: RunningApp;
const emulatorDir = mkdtempSync(path.join(tmpdir(), "regulars-emulator-"));

beforeAll(async () => {
  app = await startApp(await useFreshDatabase(), {
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: emulatorDir,
    SHOPIFY_ADMIN_TIMEOUT_MS: "1500",
    SHOPIFY_ADMIN_BACKOFF_MS: "50",
    REGULARS_REDEEM_LIMIT: "0",
    WEB_CONCURRENCY: "2", // two processes, each with its emulator: the credits must be one log
  });
  await storeAdminSessions(SHOP);
});
beforeEach(() => writeFaults(emulatorDir, {}));
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

const creditReward = (pointsCost = 500, valueCents = 500, days: number | null = null) =>
  db.reward.create({
    data: { shop: SHOP, name: "$5 store credit", kind: "store_credit", pointsCost, valueCents, creditExpiryDays: days },
  });

/** A session token as Shopify issues them to checkout and customer-account extensions. */
function extensionToken(customer: number): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    iss: `https://${SHOP}/admin`,
    dest: `https://${SHOP}`,
    aud: TEST_API_KEY,
    sub: `gid://shopify/Customer/${customer}`,
    exp: now + 300,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  })}`;
  return `${unsigned}.${createHmac("sha256", TEST_SECRET).update(unsigned).digest("base64url")}`;
}

async function extensionCall(pathname: string, customer: number, body?: unknown) {
  const response = await fetch(`${app.url}${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "User-Agent": BROWSER_USER_AGENT,
      Origin: "https://extensions.shopifycdn.com",
      Authorization: `Bearer ${extensionToken(customer)}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe(`store credit through the app (${usingPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  it("the storefront's redeem answers the store credit instead of a code, and the customer page shows it", async () => {
    const customer = newId();
    await memberWithPoints(customer, 1200);
    const reward = await creditReward(500, 500, 60);
    const res = await redeemRequest(app.url, customer, reward.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ storeCredit: { amount: "5.00", currency: "USD" }, pointsSpent: 500, points: 700 });
    expect(res.body.code).toBeUndefined();
    const credits = readStoreCredits(emulatorDir, SHOP).filter((c) => c.customerId === String(customer));
    expect(credits).toHaveLength(1);
    expect(credits[0].expiresAt).toBe(res.body.expiresAt);
    const row = await db.redemption.findFirstOrThrow({ where: { storeCreditTransactionId: credits[0].id } });
    expect(row).toMatchObject({ status: "issued", creditCents: 500, creditCurrency: "USD" });

    const page = await fetch(embeddedUrl(app.url, `/app/customers/${customer}`), {
      headers: { "User-Agent": BROWSER_USER_AGENT },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Store credit: $5.00");
  });

  it("the customer-account page redeems and lists the store credit; checkout offers the reward and answers the credit", async () => {
    const customer = newId();
    await memberWithPoints(customer, 1000);
    const reward = await creditReward();
    const listed = await extensionCall("/api/checkout/member", customer);
    expect(listed.body.rewards).toContainEqual(
      expect.objectContaining({ id: String(reward.id), kind: "store_credit", value: 5 }),
    );

    const viaCheckout = await extensionCall("/api/checkout/redeem", customer, {
      rewardId: reward.id,
      idempotencyKey: `co-${customer}`,
    });
    expect(viaCheckout).toMatchObject({ status: 200, body: { storeCredit: { amount: "5.00", currency: "USD" }, points: 500 } });
    const viaAccount = await extensionCall("/api/customer-account/rewards", customer, {
      rewardId: reward.id,
      idempotencyKey: `ca-${customer}`,
    });
    expect(viaAccount).toMatchObject({ status: 200, body: { storeCredit: { amount: "5.00" }, points: 0 } });
    const page = await extensionCall("/api/customer-account/rewards", customer);
    expect(page.body.credits).toHaveLength(2);
    expect(page.body.credits[0]).toMatchObject({
      rewardName: "$5 store credit",
      amount: "5.00",
      currency: "USD",
      expiresAt: null,
    });
    expect(page.body.codes).toEqual([]);
    expect(readStoreCredits(emulatorDir, SHOP).filter((c) => c.customerId === String(customer))).toHaveLength(2);
  });

  it("Shopify refuses: 502, points back with one spend and return pair, no credit", async () => {
    writeFaults(emulatorDir, { storeCredit: "userErrors" });
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await creditReward();
    const res = await redeemRequest(app.url, customer, reward.id);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error: "shopify_refused", points: 500 });
    expect(await pointsOf(customer)).toBe(500);
    expect((await entriesOf(customer)).filter((e) => e.kind === "redeem").map((e) => e.delta)).toEqual([-500, 500]);
    expect(readStoreCredits(emulatorDir, SHOP).filter((c) => c.customerId === String(customer))).toHaveLength(0);
  });

  it("the answer is lost after Shopify credited: the shopper keeps the credit, not the points too, and a retry adds nothing", async () => {
    writeFaults(emulatorDir, { storeCredit: "lostAnswer" });
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await creditReward();
    const key = `lost-${customer}`;
    const res = await redeemRequest(app.url, customer, reward.id, { key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ storeCredit: { amount: "5.00" }, points: 0 });
    writeFaults(emulatorDir, {});
    const again = await redeemRequest(app.url, customer, reward.id, { key });
    expect(again.body).toMatchObject({ storeCredit: { amount: "5.00" }, points: 0 });
    expect(readStoreCredits(emulatorDir, SHOP).filter((c) => c.customerId === String(customer))).toHaveLength(1);
    expect(await pointsOf(customer)).toBe(0);
  });
});
