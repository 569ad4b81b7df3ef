// The routes the checkout and customer-account UI extensions call, against the real built server
// and a real database: session tokens signed as Shopify signs them (HS256 with the app's secret),
// the customer taken only from `sub`, CORS for the extensions' sandboxed origin. Then the
// extensions' own bundles, run against the same server.
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { cleanUpExtension, i18nFor, runExtension, signal, waitFor, type FakeElement } from "../extensions/harness";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { createReward, storeOfflineSession } from "../support/proxy";
import { startApp, TEST_API_KEY, TEST_SECRET, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload, refundPayload, SHOP } from "../support/shopify";

const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** Where checkout extensions run from: never the app's own origin, so CORS applies. */
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
const OTHER_SHOP = "other-shop.myshopify.com";
const RATE_SHOP = "double-points.myshopify.com";
/** Node's fetch: the extension runs below swap the global for their own while they run. */
const realFetch = globalThis.fetch;

let app: RunningApp;
beforeAll(async () => {
  const emulatorDir = mkdtempSync(path.join(tmpdir(), "regulars-emulator-"));
  app = await startApp(await useFreshDatabase(), {
    SHOPIFY_EMULATOR: "1",
    REGULARS_ALLOW_DEV_TOOLS: "1",
    SHOPIFY_EMULATOR_DIR: emulatorDir,
    REGULARS_REDEEM_LIMIT: "0",
  });
  await storeOfflineSession(SHOP);
  await db.programSettings.create({ data: { shop: RATE_SHOP, pointsPerUnit: 2 } });
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

/** A session token as Shopify issues them to checkout and customer-account extensions. */
function sessionToken(claims: Record<string, unknown> = {}, secret = TEST_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://${SHOP}/admin`,
    dest: `https://${SHOP}`,
    aud: TEST_API_KEY,
    exp: now + 300,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete (payload as Record<string, unknown>)[k];
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

const customerGid = (id: number) => `gid://shopify/Customer/${id}`;

async function call(pathAndQuery: string, token: string | null, init: RequestInit = {}) {
  const response = await realFetch(`${app.url}${pathAndQuery}`, {
    ...init,
    headers: {
      "User-Agent": BROWSER_UA,
      Origin: EXTENSION_ORIGIN,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** A customer who earned points the real way: a paid order through the webhook. */
async function memberWithOrder(subtotal: string, shop = SHOP) {
  const id = newId();
  const order = orderPayload({ customerId: id, subtotal });
  expect((await deliverWebhook(app.url, "orders/paid", order, { shop })).status).toBe(200);
  await inboxDrained();
  return { id, order };
}

describe("checkout: GET /api/checkout/member", () => {
  it("gives the signed-in shopper's points, only the rewards they can afford, and their unused codes", async () => {
    const { id } = await memberWithOrder("120.00"); // 120 points at 1 point per unit
    const affordable = await createReward(SHOP, { name: "$1 off", pointsCost: 100, valueCents: 100 });
    await createReward(SHOP, { name: "$5 off", pointsCost: 500 });
    const customer = await db.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(id) } } });
    await db.redemption.create({
      data: {
        shop: SHOP,
        customerId: customer.id,
        rewardId: affordable.id,
        pointsSpent: 100,
        status: "issued",
        code: "REG-UNUSED1",
        idempotencyKey: randomUUID(),
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    await db.redemption.create({
      data: {
        shop: SHOP,
        customerId: customer.id,
        rewardId: affordable.id,
        pointsSpent: 100,
        status: "used",
        code: "REG-USED",
        idempotencyKey: randomUUID(),
      },
    });

    const res = await call("/api/checkout/member", sessionToken({ sub: customerGid(id) }));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.body).toMatchObject({ customerId: String(id), points: 120 });
    expect(res.body.rewards.map((r: { name: string }) => r.name)).toEqual(["$1 off"]);
    expect(res.body.codes).toEqual([expect.objectContaining({ code: "REG-UNUSED1", rewardName: "$1 off" })]);
  });

  it("treats a token without `sub` as a guest: no points, nothing affordable", async () => {
    const res = await call("/api/checkout/member", sessionToken({ sub: undefined }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customerId: null, points: 0, rewards: [], codes: [] });
  });

  it("never reads another shop's customer with the same id", async () => {
    const { id } = await memberWithOrder("80.00");
    const res = await call("/api/checkout/member", sessionToken({ sub: customerGid(id), dest: OTHER_SHOP }));
    expect(res.status).toBe(200);
    expect(res.body.points).toBe(0);
  });

  it.each([
    ["no token", null],
    ["a token signed with another secret", sessionToken({}, "not-the-app-secret")],
    ["an expired token", sessionToken({ exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 600 })],
    ["a token not valid yet", sessionToken({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    [
      "a tampered token",
      sessionToken({ sub: customerGid(1) }).replace(
        /\.([^.]+)\./,
        (_, p) =>
          `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: customerGid(2) })).toString("base64url")}.`,
      ),
    ],
    ["garbage", "not.a.jwt"],
  ])("answers 401 to %s", async (_, token) => {
    const res = await call("/api/checkout/member", token);
    expect(res.status).toBe(401);
  });

  it("answers the CORS preflight of the extension's request", async () => {
    const response = await realFetch(`${app.url}/api/checkout/member`, {
      method: "OPTIONS",
      headers: {
        "User-Agent": BROWSER_UA,
        Origin: EXTENSION_ORIGIN,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });
});

describe("checkout: GET /api/checkout/order-points", () => {
  it("computes the points from the subtotal with the shop's rate", async () => {
    const token = sessionToken({ dest: RATE_SHOP, sub: customerGid(newId()) });
    const res = await call("/api/checkout/order-points?subtotal=42.50", token);
    expect(res.status).toBe(200);
    // floor(42.50 × 2)
    expect(res.body).toMatchObject({ points: 85, memberPoints: 85, member: true });
  });

  it("gives a guest nothing, and says what an account would have earned", async () => {
    const res = await call("/api/checkout/order-points?subtotal=19.99", sessionToken({ dest: SHOP, sub: undefined }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ points: 0, memberPoints: 19, member: false });
  });

  it("agrees with what the order earns when it is paid", async () => {
    const id = newId();
    const estimate = await call("/api/checkout/order-points?subtotal=37.89", sessionToken({ sub: customerGid(id) }));
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: id, subtotal: "37.89" }));
    await inboxDrained();
    expect(await pointsOf(id)).toBe(estimate.body.points);
    expect(estimate.body.points).toBe(37);
  });

  it.each(["", "abc", "-5", "1e9", "12.3.4"])("refuses subtotal=%j with 400", async (subtotal) => {
    const res = await call(`/api/checkout/order-points?subtotal=${encodeURIComponent(subtotal)}`, sessionToken());
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_subtotal");
  });
});

describe("customer account: /api/customer-account/rewards", () => {
  it("gives balance, rewards and the history a page at a time", async () => {
    const { id } = await memberWithOrder("30.00");
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: id, subtotal: "12.00" }));
    await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: id, subtotal: "5.00" }));
    await inboxDrained();
    const token = sessionToken({ sub: customerGid(id) });

    const first = await call("/api/customer-account/rewards?limit=2", token);
    expect(first.status).toBe(200);
    expect(first.body.points).toBe(47);
    expect(first.body.history.map((e: { delta: number }) => e.delta)).toEqual([5, 12]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.body.rewards.length).toBeGreaterThan(0);
    expect(
      first.body.rewards.every((r: { affordable: boolean; pointsCost: number }) => r.affordable === r.pointsCost <= 47),
    ).toBe(true);

    const second = await call(`/api/customer-account/rewards?limit=2&cursor=${first.body.nextCursor}`, token);
    expect(second.body.history.map((e: { delta: number }) => e.delta)).toEqual([30]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("redeems points for a code (the redemption module, Shopify emulated)", async () => {
    const { id } = await memberWithOrder("150.00");
    const reward = await createReward(SHOP, { name: "$1.50 off", pointsCost: 150, valueCents: 150 });
    const token = sessionToken({ sub: customerGid(id) });
    const key = `test-${randomUUID()}`;
    const res = await call("/api/customer-account/rewards", token, {
      method: "POST",
      body: JSON.stringify({ rewardId: reward.id, idempotencyKey: key }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: expect.any(String), pointsSpent: 150, points: 0 });
    expect(await pointsOf(id)).toBe(0);
    // the same key is the same redemption, not a second one
    const again = await call("/api/customer-account/rewards", token, {
      method: "POST",
      body: JSON.stringify({ rewardId: reward.id, idempotencyKey: key }),
    });
    expect(again.body.code).toBe(res.body.code);
    const poorer = await call("/api/customer-account/rewards", token, {
      method: "POST",
      body: JSON.stringify({ rewardId: reward.id, idempotencyKey: `test-${randomUUID()}` }),
    });
    expect(poorer.status).toBe(409);
    expect(await pointsOf(id)).toBe(0);
  });

  it("needs a signed-in customer", async () => {
    expect((await call("/api/customer-account/rewards", sessionToken({ sub: undefined }))).status).toBe(403);
    expect((await call("/api/customer-account/rewards", sessionToken({ sub: customerGid(1) }, "wrong-secret"))).status).toBe(401);
  });
});

describe("customer account: GET /api/customer-account/order-points", () => {
  it("gives the points the customer's own order earned, and what a refund took back", async () => {
    const { id, order } = await memberWithOrder("60.00");
    await deliverWebhook(app.url, "refunds/create", refundPayload(order.id, "15.00"));
    await inboxDrained();
    const res = await call(
      `/api/customer-account/order-points?orderId=gid://shopify/Order/${order.id}`,
      sessionToken({ sub: customerGid(id) }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orderId: String(order.id), orderName: order.name, earned: 60, clawedBack: 15, net: 45 });
  });

  it("never shows another customer's order: it looks exactly like an order that does not exist", async () => {
    const owner = await memberWithOrder("25.00");
    const stranger = newId();
    const theirs = await call(
      `/api/customer-account/order-points?orderId=${owner.order.id}`,
      sessionToken({ sub: customerGid(stranger) }),
    );
    const nobodys = await call(
      `/api/customer-account/order-points?orderId=${newId()}`,
      sessionToken({ sub: customerGid(stranger) }),
    );
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(nobodys.body);
    // nor from another shop, with the owner's own customer id
    const otherShop = await call(
      `/api/customer-account/order-points?orderId=${owner.order.id}`,
      sessionToken({ sub: customerGid(owner.id), dest: OTHER_SHOP }),
    );
    expect(otherShop.status).toBe(404);
  });

  it("refuses a malformed order id", async () => {
    const res = await call(
      "/api/customer-account/order-points?orderId=gid://shopify/Customer/1",
      sessionToken({ sub: customerGid(1) }),
    );
    expect(res.status).toBe(400);
  });
});

// ---- the extensions themselves, bundled and run against the server ---------------------------

const EXT = path.resolve(__dirname, "../../extensions");
const APP_URL = "https://regulars.example.com"; // src/config.ts, checked against shopify.app.toml in test/extensions

/** The extension's fetch, sent to the test server from the extensions' origin, as a browser would. */
function extensionFetch(): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (!url.startsWith(APP_URL)) throw new Error(`extension called ${url}, not the app at ${APP_URL}`);
    const headers = { ...(init?.headers as Record<string, string>), "User-Agent": BROWSER_UA, Origin: EXTENSION_ORIGIN };
    return realFetch(`${app.url}${url.slice(APP_URL.length)}`, { ...init, headers });
  }) as typeof fetch;
}

afterEach(() => cleanUpExtension());

describe("the extensions against the server", () => {
  const money = (amount: number) => ({ amount, currencyCode: "USD" });

  it("thank-you block: 'You earn 42 points with this order' from the subtotal after discounts", async () => {
    const id = newId();
    const body = await runExtension(
      path.join(EXT, "checkout-rewards/src/ThankYou.ts"),
      {
        i18n: i18nFor(path.join(EXT, "checkout-rewards"), "en"),
        sessionToken: { get: async () => sessionToken({ sub: customerGid(id) }) },
        cost: { subtotalAmount: signal(money(50.4)) },
        discountAllocations: signal([{ discountedAmount: money(8.4) }]),
        orderConfirmation: signal({ order: { id: "gid://shopify/Order/1" }, isFirstOrder: true }),
      },
      extensionFetch(),
    );
    const banner = body.find("s-banner")[0];
    expect(banner?.getAttribute("heading")).toBe("You earn 42 points with this order");
  });

  it("thank-you block in Persian: Persian digits, right words", async () => {
    const body = await runExtension(
      path.join(EXT, "checkout-rewards/src/ThankYou.ts"),
      {
        i18n: i18nFor(path.join(EXT, "checkout-rewards"), "fa"),
        sessionToken: { get: async () => sessionToken({ sub: customerGid(newId()) }) },
        cost: { subtotalAmount: signal(money(42)) },
        discountAllocations: signal([]),
        orderConfirmation: signal({ order: { id: "gid://shopify/Order/1" }, isFirstOrder: false }),
      },
      extensionFetch(),
    );
    expect(body.find("s-banner")[0]?.getAttribute("heading")).toBe("با این سفارش ۴۲ امتیاز می‌گیرید");
  });

  it("checkout reductions: redeems a reward and applies the code without leaving checkout", async () => {
    const { id } = await memberWithOrder("260.00");
    await db.reward.updateMany({ where: { shop: SHOP }, data: { active: false } });
    const reward = await createReward(SHOP, { name: "$2 off", pointsCost: 200, valueCents: 200 });
    const applied: string[] = [];
    const discountCodes = signal<Array<{ code: string }>>([]);
    const body = await runExtension(
      path.join(EXT, "checkout-rewards/src/Reductions.ts"),
      {
        i18n: i18nFor(path.join(EXT, "checkout-rewards"), "en"),
        sessionToken: { get: async () => sessionToken({ sub: customerGid(id) }) },
        buyerIdentity: { customer: signal({ id: customerGid(id) }) },
        discountCodes,
        instructions: signal({ discounts: { canUpdateDiscountCodes: true } }),
        applyDiscountCodeChange: async (change: { type: string; code: string }) => {
          applied.push(change.code);
          discountCodes.set([...discountCodes.value, { code: change.code }]);
          return { type: "success" };
        },
      },
      extensionFetch(),
    );
    expect(body.textContent).toContain("You have 260 points");
    const redeem = body.find("s-button").find((b) => b.getAttribute("accessibilityLabel")?.includes("$2 off"));
    expect(redeem?.textContent).toBe("Redeem and apply");
    redeem!.click();
    await waitFor(() => applied.length === 1);
    const redemption = await db.redemption.findFirstOrThrow({ where: { shop: SHOP, rewardId: reward.id } });
    expect(applied).toEqual([redemption.code]);
    expect(await pointsOf(id)).toBe(60);
    await waitFor(() => body.textContent.includes("Applied"));
    expect(body.textContent).toContain("You have 60 points");
  });

  it("checkout reductions: a guest is asked to sign in, and nothing is fetched", async () => {
    const body = await runExtension(
      path.join(EXT, "checkout-rewards/src/Reductions.ts"),
      {
        i18n: i18nFor(path.join(EXT, "checkout-rewards"), "en"),
        sessionToken: { get: async () => sessionToken() },
        buyerIdentity: { customer: signal(undefined) },
      },
      (() => {
        throw new Error("a guest's checkout should not call the app");
      }) as unknown as typeof fetch,
    );
    expect(body.textContent).toBe("Sign in to use your reward points.");
  });

  it("order block: shows what the order earned; another customer's order shows nothing earned", async () => {
    const { id, order } = await memberWithOrder("33.00");
    const run = (customer: number) =>
      runExtension(
        path.join(EXT, "customer-account-rewards/src/OrderPoints.ts"),
        {
          i18n: i18nFor(path.join(EXT, "customer-account-rewards"), "en"),
          sessionToken: { get: async () => sessionToken({ sub: customerGid(customer) }) },
          toast: { show: async () => ({}) },
          order: signal({ id: `gid://shopify/Order/${order.id}`, name: order.name }),
        },
        extensionFetch(),
      );
    expect((await run(id)).textContent).toContain("This order earned 33 points");
    cleanUpExtension();
    const stranger: FakeElement = await run(newId());
    expect(stranger.textContent).not.toContain("33");
    expect(stranger.textContent).toContain("Points for this order are added once it's paid.");
  });

  it("Rewards page: balance, history, and 'Show more' loads the next page", async () => {
    const { id } = await memberWithOrder("10.00");
    for (const subtotal of ["1.00", "2.00", "3.00"])
      await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: id, subtotal }));
    for (let i = 0; i < 20; i++) await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId: id, subtotal: "1.00" }));
    await inboxDrained();
    const body = await runExtension(
      path.join(EXT, "customer-account-rewards/src/RewardsPage.ts"),
      {
        i18n: i18nFor(path.join(EXT, "customer-account-rewards"), "en"),
        sessionToken: { get: async () => sessionToken({ sub: customerGid(id) }) },
        toast: { show: async () => ({}) },
      },
      extensionFetch(),
    );
    expect(body.find("s-page")[0]?.getAttribute("heading")).toBe("Rewards");
    expect(body.find("s-heading")[0]?.textContent).toBe("36 points");
    const rows = () => body.find("s-text", /^[+−]\d+$/).length;
    expect(rows()).toBe(20);
    body.find("s-button", "Show more")[0].click();
    await waitFor(() => rows() === 24);
    expect(body.find("s-button", "Show more")).toEqual([]);
  });
});
