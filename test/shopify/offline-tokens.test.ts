// Expiring offline access tokens, as background work meets them: an expired token is refreshed
// once (through the library, against Shopify's token endpoint answered by the emulator), the call
// goes through with the new token, and the new pair is stored; a shop installed before tokens
// expired is converted once. Concurrent callers in one process share one refresh.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "../../app/db.server";
import { tokenBook } from "../../app/shopify/emulator/oauth";
import { unauthenticated } from "../../app/shopify.server";
import { useFreshDatabase } from "../support/database";

// Before any import runs: the emulator (Admin API and OAuth endpoint) starts with the first call.
const dir = vi.hoisted(() => {
  const { mkdtempSync } = require("node:fs") as typeof import("node:fs");
  const emulatorDir = mkdtempSync(`${require("node:os").tmpdir()}/regulars-oauth-`);
  process.env.SHOPIFY_EMULATOR = "1";
  process.env.SHOPIFY_EMULATOR_DIR = emulatorDir;
  process.env.SHOPIFY_API_KEY = "oauth-test-key";
  process.env.SHOPIFY_API_SECRET = "oauth-test-secret";
  return emulatorDir;
});

const book = tokenBook(dir);
const HOUR = 3600_000;

beforeAll(async () => {
  await useFreshDatabase();
});
afterAll(() => db.$disconnect());

async function shopName(shop: string): Promise<string> {
  const { admin } = await unauthenticated.admin(shop);
  const response = await admin.graphql("query { shop { name } }");
  const body = (await response.json()) as { data: { shop: { name: string } } };
  return body.data.shop.name;
}

const session = (shop: string) => db.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } });

describe("an expired offline token", () => {
  const shop = "expired-token.myshopify.com";

  beforeAll(async () => {
    // Shopify issued this pair an hour and a half ago; the access token ran out 30 minutes ago.
    const tokens = book.read();
    tokens.access.shpat_old = Date.now() - 30 * 60_000;
    tokens.refresh.shprt_old = shop;
    book.write(tokens);
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        scope: "read_orders",
        accessToken: "shpat_old",
        expires: new Date(Date.now() - 30 * 60_000),
        refreshToken: "shprt_old",
        refreshTokenExpires: new Date(Date.now() + 89 * 24 * HOUR),
      },
    });
  });

  it("is refreshed once for five concurrent callers, each call succeeds, and the new pair is stored", async () => {
    const names = await Promise.all(Array.from({ length: 5 }, () => shopName(shop)));
    expect(names).toEqual(Array(5).fill("expired-token"));
    expect(book.grants().filter((g) => g.shop === shop)).toEqual([{ grant: "refresh_token", shop }]);

    const stored = await session(shop);
    expect(stored.accessToken).toMatch(/^shpat_emulated_expired-token\.myshopify\.com_\d+$/);
    expect(stored.refreshToken).toMatch(/^shprt_emulated_/);
    expect(stored.expires!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(stored.refreshTokenExpires!.getTime()).toBeGreaterThan(Date.now() + 89 * 24 * HOUR);
    // The old token no longer works at Shopify, and the old refresh token is spent.
    expect(book.isUsable("shpat_old")).toBe(false);
    expect(book.read().refresh.shprt_old).toBeUndefined();
  });

  it("is not refreshed again while the new one is fresh", async () => {
    expect(await shopName(shop)).toBe("expired-token");
    expect(book.grants().filter((g) => g.shop === shop)).toHaveLength(1);
  });
});

describe("a non-expiring offline token from before", () => {
  const shop = "legacy-token.myshopify.com";

  beforeAll(async () => {
    await db.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        scope: "read_orders",
        accessToken: "shpat_legacy",
        expires: null,
      },
    });
  });

  it("is converted once to an expiring pair, after which calls use the new token", async () => {
    const names = await Promise.all([shopName(shop), shopName(shop), shopName(shop)]);
    expect(names).toEqual(["legacy-token", "legacy-token", "legacy-token"]);
    expect(book.grants().filter((g) => g.shop === shop)).toEqual([{ grant: "migrate_offline_token", shop }]);
    const stored = await session(shop);
    expect(stored.accessToken).not.toBe("shpat_legacy");
    expect(stored.refreshToken).toBeTruthy();
    expect(stored.expires).not.toBeNull();
    expect(book.isUsable("shpat_legacy")).toBe(false);
  });
});
