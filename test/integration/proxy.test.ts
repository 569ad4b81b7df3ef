// The app proxy door, end to end: requests signed as Shopify's app proxy signs them, sent to the
// real built server on a real database. Who the shopper is comes only from the signed parameters.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { pointsOf } from "../support/ledger";
import { createReward, memberWithPoints, proxyFetch, proxyUrl, redeemRequest, storeOfflineSession } from "../support/proxy";
import { startApp, type RunningApp } from "../support/server";
import { newId, SHOP } from "../support/shopify";

const OTHER_SHOP = "someone-else.myshopify.com";
let app: RunningApp;

beforeAll(async () => {
  const databaseUrl = await useFreshDatabase();
  app = await startApp(databaseUrl, {
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: mkdtempSync(path.join(tmpdir(), "regulars-emulator-")),
    REGULARS_REDEEM_LIMIT: "5",
    WEB_CONCURRENCY: "1",
  });
  await storeOfflineSession(SHOP);
  await storeOfflineSession(OTHER_SHOP);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

describe("signature", () => {
  it("accepts a request signed like Shopify's app proxy, and answers private, no-store JSON", async () => {
    const customer = newId();
    await memberWithPoints(customer, 120);
    const res = await proxyFetch(app.url, "api/member", { customer });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body).toMatchObject({ customerId: String(customer), points: 120 });
  });

  it.each([
    ["a tampered customer id", { tamper: { logged_in_customer_id: "999" } }],
    ["a tampered shop", { tamper: { shop: OTHER_SHOP } }],
    ["a wrong secret", { secret: "not-the-app-secret" }],
    ["a timestamp 91 s old", { timestamp: Math.floor(Date.now() / 1000) - 91 }],
    ["a timestamp 5 minutes ahead", { timestamp: Math.floor(Date.now() / 1000) + 300 }],
    ["an unsigned parameter added", { unsigned: [["extra", "1"]] }],
    ["a customer id added to a guest's signed request", { customer: null, tamper: { logged_in_customer_id: "1234" } }],
    ["a second customer id after the signed one", { unsigned: [["logged_in_customer_id", "1234"]] }],
    ["no signature", { tamper: { signature: "" } }],
  ] as const)("rejects %s with 401 and JSON", async (_name, options) => {
    const customer = newId();
    await memberWithPoints(customer, 50);
    const res = await proxyFetch(app.url, "api/member", { customer, ...(options as object) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: "unauthorized" });
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("rejects a request whose signed customer id is repeated before the signed one", async () => {
    // The library validates the last value of a repeated parameter; a reader of the first one
    // would see the attacker's. We refuse repeated parameters outright.
    const victim = newId();
    await memberWithPoints(victim, 900);
    const url = proxyUrl(app.url, "api/member", { customer: newId() });
    const forged = url.replace("?", `?logged_in_customer_id=${victim}&`);
    const res = await fetch(forged);
    expect(res.status).toBe(401);
  });

  it("rejects a signed request without a timestamp (the library's window check would let NaN through)", async () => {
    const { createHmac } = await import("node:crypto");
    const params = { logged_in_customer_id: "1", path_prefix: "/apps/rewards", shop: SHOP };
    const message = Object.entries(params)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join("");
    const signature = createHmac("sha256", "test-webhook-secret").update(message).digest("hex");
    const res = await fetch(`${app.url}/proxy/api/member?${new URLSearchParams({ ...params, signature })}`);
    expect(res.status).toBe(401);
  });

  it("rejects a forged redeem without spending anything", async () => {
    const customer = newId();
    await memberWithPoints(customer, 1000);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const res = await redeemRequest(app.url, customer, reward.id, { secret: "guessed" });
    expect(res.status).toBe(401);
    expect(await pointsOf(customer)).toBe(1000);
    expect(await db.redemption.count({ where: { rewardId: reward.id } })).toBe(0);
  });
});

describe("who the shopper is", () => {
  it("shows a guest the program: points 0, rewards and ways to earn, no history", async () => {
    await createReward(SHOP, { name: "Free shipping", kind: "free_shipping", pointsCost: 800 });
    const res = await proxyFetch(app.url, "api/member", { customer: null });
    expect(res.status).toBe(200);
    expect(res.body.customerId).toBeNull();
    expect(res.body.points).toBe(0);
    expect(res.body.history).toEqual([]);
    expect(res.body.rewards.length).toBeGreaterThan(0);
    expect(res.body.rewards.find((r: { kind: string }) => r.kind === "free_shipping")).toMatchObject({
      pointsCost: 800,
      value: 0,
    });
    expect(res.body.waysToEarn[0]).toMatchObject({ kind: "order" });
  });

  it("ignores a customer id in the body or headers: the redeem spends the signed customer's points", async () => {
    const signed = newId();
    const victim = newId();
    await memberWithPoints(signed, 600);
    await memberWithPoints(victim, 5000);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const res = await redeemRequest(app.url, signed, reward.id, {
      body: JSON.stringify({ rewardId: reward.id, customerId: String(victim), logged_in_customer_id: String(victim) }),
      headers: { "X-Customer-Id": String(victim) },
    });
    expect(res.status).toBe(200);
    expect(await pointsOf(signed)).toBe(100);
    expect(await pointsOf(victim)).toBe(5000);
  });

  it("never shows or spends another shop's points for the same customer id", async () => {
    const customer = newId();
    await memberWithPoints(customer, 700, OTHER_SHOP);
    const mine = await proxyFetch(app.url, "api/member", { customer, shop: SHOP });
    expect(mine.body.points).toBe(0);
    const otherReward = await createReward(OTHER_SHOP, { pointsCost: 100 });
    // the other shop's reward is unknown here, and there are no points here anyway
    const res = await redeemRequest(app.url, customer, otherReward.id, { shop: SHOP });
    expect(res.status).toBe(404);
    expect(await pointsOf(customer, OTHER_SHOP)).toBe(700);
    const theirs = await proxyFetch(app.url, "api/member", { customer, shop: OTHER_SHOP });
    expect(theirs.body.points).toBe(700);
    expect(theirs.body.rewards.map((r: { id: string }) => r.id)).toEqual([String(otherReward.id)]);
  });

  it("one shopper's idempotency key never returns another shopper's code", async () => {
    const [a, b] = [newId(), newId()];
    await memberWithPoints(a, 500);
    await memberWithPoints(b, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const first = await redeemRequest(app.url, a, reward.id, { key: "shared-key-123456" });
    const second = await redeemRequest(app.url, b, reward.id, { key: "shared-key-123456" });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.code).not.toBe(first.body.code);
    expect([await pointsOf(a), await pointsOf(b)]).toEqual([0, 0]);
  });
});

describe("redeem errors", () => {
  it("403 for a guest, 404 for an unknown or inactive reward, 409 without enough points — points untouched", async () => {
    const customer = newId();
    await memberWithPoints(customer, 300);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const inactive = await db.reward.create({
      data: { shop: SHOP, name: "Old", kind: "amount_off", pointsCost: 10, valueCents: 100, active: false },
    });

    const guest = await proxyFetch(app.url, "api/redeem", {
      customer: null,
      method: "POST",
      body: JSON.stringify({ rewardId: reward.id }),
      headers: { "Content-Type": "application/json" },
    });
    expect(guest.status).toBe(403);
    expect(guest.body.error).toBe("sign_in_required");
    expect((await redeemRequest(app.url, customer, 987654, {})).status).toBe(404);
    expect((await redeemRequest(app.url, customer, inactive.id, {})).status).toBe(404);
    const poor = await redeemRequest(app.url, customer, reward.id, {});
    expect(poor.status).toBe(409);
    expect(poor.body).toMatchObject({ error: "not_enough_points", points: 300 });
    expect(await pointsOf(customer)).toBe(300);
    expect(await db.redemption.count({ where: { rewardId: reward.id } })).toBe(0);
  });

  it("accepts a form body and answers 400 for a malformed one", async () => {
    const customer = newId();
    await memberWithPoints(customer, 500);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const bad = await redeemRequest(app.url, customer, reward.id, { body: "{not json" });
    expect(bad.status).toBe(400);
    const form = await redeemRequest(app.url, customer, reward.id, {
      body: `rewardId=${reward.id}`,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(200);
    expect(form.body.code).toMatch(/^REG-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  });

  it("without an Idempotency-Key, a double submit is one redemption", async () => {
    const customer = newId();
    await memberWithPoints(customer, 1000);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const [a, b] = await Promise.all([
      redeemRequest(app.url, customer, reward.id, { key: null }),
      redeemRequest(app.url, customer, reward.id, { key: null }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.code).toBe(a.body.code);
    expect(await pointsOf(customer)).toBe(500);
  });

  it("429 after too many attempts in a minute, with Retry-After", async () => {
    const customer = newId();
    await memberWithPoints(customer, 10);
    const reward = await createReward(SHOP, { pointsCost: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await redeemRequest(app.url, customer, reward.id, {})).status);
    expect(statuses.slice(0, 5)).toEqual([409, 409, 409, 409, 409]); // REGULARS_REDEEM_LIMIT=5
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await redeemRequest(app.url, customer, reward.id, {});
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.body.error).toBe("too_many_attempts");
    expect(await pointsOf(customer)).toBe(10);
    // another shopper is not limited by this one
    const other = newId();
    await memberWithPoints(other, 500);
    expect((await redeemRequest(app.url, other, reward.id, {})).status).toBe(200);
  });
});

describe("history", () => {
  it("pages through the signed-in shopper's ledger, newest first", async () => {
    const customer = newId();
    for (let i = 1; i <= 25; i++) await memberWithPoints(customer, i);
    const first = await proxyFetch(app.url, "api/history", { customer });
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    expect(first.body.history).toHaveLength(20);
    expect(first.body.history[0].delta).toBe(25);
    expect(first.body.nextCursor).toMatch(/^\d+$/);
    const second = await proxyFetch(app.url, "api/history", { customer, query: { cursor: first.body.nextCursor } });
    expect(second.body.history.map((e: { delta: number }) => e.delta)).toEqual([5, 4, 3, 2, 1]);
    expect(second.body.nextCursor).toBeNull();
    // the member view carries the most recent ones
    const member = await proxyFetch(app.url, "api/member", { customer });
    expect(member.body.history[0]).toMatchObject({ delta: 25, kind: "adjust", reason: "Welcome points" });
  });

  it("is 403 for a guest and 400 for a bad cursor", async () => {
    expect((await proxyFetch(app.url, "api/history", { customer: null })).status).toBe(403);
    expect((await proxyFetch(app.url, "api/history", { customer: newId(), query: { cursor: "abc" } })).status).toBe(400);
  });
});
