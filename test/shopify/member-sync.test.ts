// Members' points and tier follow the ledger into Shopify's `$app:loyalty` customer metafields:
// the real modules, a real database, and Shopify's Admin API answered by the emulator in this
// process (msw at the network edge), whose log says what Shopify was asked and what it kept.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { appendEntries } from "../../app/loyalty/ledger.server";
import { upsertCustomers } from "../../app/loyalty/membership.server";
import { membersBehind, resyncShop, syncMemberMetafields, type SyncOptions } from "../../app/loyalty/member-sync.server";
import { adminFor } from "../../app/shopify/discounts.server";
import { readLog, writeFaults } from "../../app/shopify/emulator/admin-graphql";
import type { AdminGraphql } from "../../app/shopify/graphql-budget.server";
import { ensureLoyaltyDefinitions, LOYALTY_NAMESPACE } from "../../app/shopify/metafields.server";
import { useFreshDatabase } from "../support/database";
import { storeOfflineSession } from "../support/proxy";

const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-emulator-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  return emulatorDir;
});

type SetCall = {
  shop: string;
  field: string;
  outcome: "ok" | "throttled" | "userErrors";
  metafields?: Array<{ ownerId: string; namespace: string; key: string; value: string }>;
};
const calls = (shop: string) => readLog<SetCall>(dir, "metafields.jsonl").filter((c) => c.shop === shop);

let seq = 0;
let shop = "";
// The app's own clock is this test's: Date is faked (timers are not), and moved on by hand.
let clock = Date.now();
const now = () => new Date(clock);
const advance = (ms: number) => {
  clock += ms;
  vi.setSystemTime(clock);
};
const options = (o: Partial<SyncOptions> = {}): SyncOptions => ({
  adminFor: async (s) => (await adminFor(s)) as AdminGraphql,
  debounceMs: 2000,
  timeoutMs: 5000,
  now,
  shop,
  ...o,
});

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: clock });
  await useFreshDatabase();
});
beforeEach(async () => {
  writeFaults(dir, {});
  shop = `sync-${++seq}.myshopify.com`;
  await storeOfflineSession(shop);
  advance(60_000); // each test starts with Shopify's bucket full
});
afterAll(async () => {
  vi.useRealTimers();
  await db.$disconnect();
});

/** Members with points, each from its own ledger row, all in one transaction (like one import chunk). */
async function earn(points: Record<string, number>, at = now()) {
  await db.$transaction(async (tx) => {
    const ids = await upsertCustomers(
      tx,
      shop,
      Object.keys(points).map((shopifyId) => ({ shopifyId, email: null, firstName: null, lastName: null })),
    );
    await appendEntries(
      tx,
      Object.entries(points).map(([shopifyId, delta]) => ({
        shop,
        customerId: ids.get(shopifyId)!,
        delta,
        kind: "earn" as const,
        reason: "Order",
        idempotencyKey: `test:${shopifyId}:${delta}:${at.getTime()}:${Math.random()}`,
      })),
    );
  });
}

const pointsIn = (call: SetCall) =>
  Object.fromEntries(
    (call.metafields ?? []).filter((m) => m.key === "points").map((m) => [m.ownerId.split("/").pop(), Number(m.value)]),
  );

describe("member metafields", () => {
  it("many ledger changes are one metafieldsSet with every member's new balance", async () => {
    const points = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(7_000 + i), 10 * (i + 1)]));
    await earn(points);
    await earn({ "7000": 5 }); // a second change to one member before the send: still one write, with the sum

    advance(2_500); // past the debounce
    const result = await syncMemberMetafields(options());
    expect(result).toMatchObject({ members: 10, calls: 1, throttled: 0, failed: 0 });
    const sets = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(sets).toHaveLength(1);
    expect(sets[0].outcome).toBe("ok");
    expect(pointsIn(sets[0])).toEqual({ ...points, "7000": 15 });
    expect(sets[0].metafields!.every((m) => m.namespace === LOYALTY_NAMESPACE)).toBe(true);
    expect(await membersBehind(shop)).toEqual([]);

    // Nothing changed since: the next run sends nothing.
    advance(5_000);
    expect((await syncMemberMetafields(options())).calls).toBe(0);
  });

  it("waits out the debounce, so a burst is sent once", async () => {
    await earn({ "7100": 10 });
    advance(500);
    expect((await syncMemberMetafields(options())).calls).toBe(0);
    await earn({ "7100": 20 });
    advance(1_600); // 2.1 s after the first change: due, though the second is only 1.6 s old
    await syncMemberMetafields(options());
    const sets = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(sets.map(pointsIn)).toEqual([{ "7100": 30 }]);
  });

  it("sends at most 25 metafields per call: 30 members with tiers are three calls", async () => {
    await earn(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [String(7_200 + i), 1])));
    await db.customer.updateMany({ where: { shop }, data: { tier: "Gold" } });
    advance(2_500);
    const result = await syncMemberMetafields(options());
    expect(result).toMatchObject({ members: 30, calls: 3 });
    const sets = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(sets.map((c) => c.metafields!.length)).toEqual([24, 24, 12]);
    expect(sets.flatMap((c) => c.metafields!.filter((m) => m.key === "tier").map((m) => m.value))).toEqual(
      Array(30).fill("Gold"),
    );
  });

  it("after THROTTLED, waits for Shopify's bucket to refill and sends the same values again", async () => {
    await earn({ "7300": 40, "7301": 41 });
    writeFaults(dir, { metafields: "throttledOnce" });
    advance(2_500);
    const first = await syncMemberMetafields(options());
    expect(first).toMatchObject({ throttled: 1, members: 0 });
    expect(await membersBehind(shop)).toHaveLength(2);

    // The bucket was empty: 10 points at 100 a second, at least a second. Not before.
    advance(200);
    expect((await syncMemberMetafields(options())).calls).toBe(0);
    advance(1_000);
    const second = await syncMemberMetafields(options());
    expect(second).toMatchObject({ members: 2, calls: 1, throttled: 0 });
    const log = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(log.map((c) => c.outcome)).toEqual(["throttled", "ok"]);
    expect(pointsIn(log[1])).toEqual({ "7300": 40, "7301": 41 });
    expect(await membersBehind(shop)).toEqual([]);
  });

  it("a member Shopify refuses waits on their own; the others are written", async () => {
    await earn({ "7400": 3, "not-a-customer-id": 4, "7401": 5 });
    advance(2_500);
    const result = await syncMemberMetafields(options());
    expect(result).toMatchObject({ members: 2, refused: 1 });
    const log = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(log.map((c) => c.outcome)).toEqual(["userErrors", "ok"]); // atomic: nothing kept, then sent without it
    expect(pointsIn(log[1])).toEqual({ "7400": 3, "7401": 5 });
    const refused = await db.memberSync.findFirstOrThrow({ where: { shop, attempts: 1 } });
    expect(refused.lastError).toMatch(/INVALID/);
    expect(refused.nextAttemptAt!.getTime()).toBeGreaterThan(clock);
  });

  it("a member who loses their tier has the tier metafield deleted", async () => {
    await earn({ "7500": 10 });
    await db.customer.updateMany({ where: { shop }, data: { tier: "Silver" } });
    advance(2_500);
    await syncMemberMetafields(options());
    await db.$transaction(async (tx) => {
      const c = await tx.customer.findFirstOrThrow({ where: { shop } });
      await tx.customer.update({ where: { id: c.id }, data: { tier: null } });
      const { markMembersChanged } = await import("../../app/loyalty/member-sync.server");
      await markMembersChanged(tx, shop, [c.id], now());
    });
    advance(2_500);
    await syncMemberMetafields(options());
    const log = calls(shop);
    expect(log.map((c) => c.field)).toEqual(["metafieldsSet", "metafieldsSet", "metafieldsDelete"]);
    expect(log[2].metafields).toEqual([{ ownerId: "gid://shopify/Customer/7500", namespace: LOYALTY_NAMESPACE, key: "tier" }]);
  });

  it("a failing Shopify (HTTP 500) leaves the members to retry later, with a growing wait", async () => {
    await earn({ "7600": 1 });
    writeFaults(dir, { metafields: "serverError" });
    advance(2_500);
    expect(await syncMemberMetafields(options())).toMatchObject({ failed: 1, members: 0 });
    const row = await db.memberSync.findFirstOrThrow({ where: { shop } });
    expect(row.attempts).toBe(1);
    writeFaults(dir, {});
    advance(1_000);
    expect((await syncMemberMetafields(options())).calls).toBe(0); // still waiting
    advance(5_000);
    expect(await syncMemberMetafields(options())).toMatchObject({ members: 1 });
  });

  it("a shop without a session is asked about again only after a pause, its members kept marked", async () => {
    await earn({ "7400": 10 });
    advance(2_500);
    let asked = 0;
    const noSession = options({
      adminFor: async () => {
        asked++;
        throw new Error("Could not find a session");
      },
    });
    await syncMemberMetafields(noSession);
    advance(10_000);
    await syncMemberMetafields(noSession); // the next ticks leave the shop alone
    expect(asked).toBe(1);
    expect(await membersBehind(shop)).toHaveLength(1);
    advance(5 * 60_000); // the session exists by then
    expect((await syncMemberMetafields(options())).members).toBe(1);
    expect(await membersBehind(shop)).toEqual([]);
  });

  it("a resync sends every member of the shop again", async () => {
    await earn({ "7700": 7, "7701": 8 });
    advance(2_500);
    await syncMemberMetafields(options());
    expect(await resyncShop(shop, now())).toBe(2);
    advance(2_500);
    await syncMemberMetafields(options());
    const sets = calls(shop).filter((c) => c.field === "metafieldsSet");
    expect(sets.map(pointsIn)).toEqual([
      { "7700": 7, "7701": 8 },
      { "7700": 7, "7701": 8 },
    ]);
  });
});

describe("metafield definitions", () => {
  it("are created once, readable by the storefront; creating them again is harmless", async () => {
    const admin = (await adminFor(shop)) as AdminGraphql;
    await ensureLoyaltyDefinitions(admin, 5000);
    await ensureLoyaltyDefinitions(admin, 5000);
    const log = readLog<{ shop: string; definition: Record<string, unknown>; userErrors: Array<{ code: string }> }>(
      dir,
      "metafield-definitions.jsonl",
    ).filter((d) => d.shop === shop);
    expect(log.map((d) => [d.definition.key, d.userErrors.map((e) => e.code)])).toEqual([
      ["points", []],
      ["tier", []],
      ["points", ["TAKEN"]],
      ["tier", ["TAKEN"]],
    ]);
    expect(log[0].definition).toMatchObject({
      namespace: "$app:loyalty",
      ownerType: "CUSTOMER",
      type: "number_integer",
      access: { storefront: "PUBLIC_READ" },
    });
  });
});
