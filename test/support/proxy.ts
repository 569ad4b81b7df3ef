// Shopify's app proxy as the app sees it: the storefront's request forwarded to /proxy/... with
// `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature` — the hex
// HMAC-SHA256, with the app's secret, of every other query parameter as `key=value`, sorted by
// key and concatenated without separators (repeated keys' values joined by commas).
// Written from Shopify's documentation, independently of the app and the library.
import { createHmac } from "node:crypto";
import { db } from "../../app/db.server";
import { appendEntry } from "../../app/loyalty/ledger.server";
import { upsertCustomers } from "../../app/loyalty/membership.server";
import { expiringOfflineToken } from "./admin-session";
import { TEST_SECRET } from "./server";
import { SHOP } from "./shopify";

export function proxySignature(params: [string, string][], secret = TEST_SECRET): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) if (key !== "signature") grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export type ProxyOptions = {
  shop?: string;
  /** the signed-in customer's Shopify id; null for a guest */
  customer?: string | number | null;
  /** seconds since the epoch; default now */
  timestamp?: number;
  secret?: string;
  /** extra query parameters, signed with the rest */
  query?: Record<string, string>;
  /** appended after signing (to tamper) */
  unsigned?: [string, string][];
  /** replace a signed parameter after signing */
  tamper?: Record<string, string>;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
};

/** The URL Shopify would request for the storefront path /apps/rewards/<path>. */
export function proxyUrl(baseUrl: string, path: string, o: ProxyOptions = {}): string {
  const params: [string, string][] = [
    ["shop", o.shop ?? SHOP],
    ["logged_in_customer_id", o.customer == null ? "" : String(o.customer)],
    ["path_prefix", "/apps/rewards"],
    ["timestamp", String(o.timestamp ?? Math.floor(Date.now() / 1000))],
    ...Object.entries(o.query ?? {}),
  ];
  const signature = proxySignature(params, o.secret);
  const search = new URLSearchParams([...params, ["signature", signature]]);
  for (const [key, value] of Object.entries(o.tamper ?? {})) search.set(key, value);
  for (const [key, value] of o.unsigned ?? []) search.append(key, value);
  return `${baseUrl}/proxy/${path.replace(/^\//, "")}?${search}`;
}

export async function proxyFetch(baseUrl: string, path: string, o: ProxyOptions = {}) {
  const response = await fetch(proxyUrl(baseUrl, path, o), {
    method: o.method ?? "GET",
    headers: o.headers,
    body: o.body,
  });
  const text = await response.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

export function redeemRequest(
  baseUrl: string,
  customer: string | number,
  rewardId: number | string,
  o: ProxyOptions & { key?: string | null } = {},
) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...(o.headers ?? {}) };
  if (o.key !== null) headers["Idempotency-Key"] = o.key ?? `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  return proxyFetch(baseUrl, "api/redeem", {
    ...o,
    customer,
    method: "POST",
    headers,
    body: o.body ?? JSON.stringify({ rewardId }),
  });
}

/** The offline session the install would have stored: the app needs it to call the Admin API. */
export async function storeOfflineSession(shop = SHOP) {
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    create: {
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: "write_discounts,read_orders",
      ...expiringOfflineToken("shpat_regulars_test_token"),
    },
    update: {},
  });
}

type RewardInput = {
  name?: string;
  kind?: "amount_off" | "percent_off" | "free_shipping";
  pointsCost?: number;
  valueCents?: number;
  percentOff?: number;
  minimumSubtotalCents?: number | null;
};

export async function createReward(shop = SHOP, r: RewardInput = {}) {
  return db.reward.create({
    data: {
      shop,
      name: r.name ?? "$5 off",
      kind: r.kind ?? "amount_off",
      pointsCost: r.pointsCost ?? 500,
      valueCents: r.valueCents ?? (r.kind === undefined || r.kind === "amount_off" ? 500 : 0),
      percentOff: r.percentOff ?? 0,
      minimumSubtotalCents: r.minimumSubtotalCents ?? null,
    },
  });
}

/** A member with `points` in the ledger (an owner adjustment), as the app would hold them. */
export async function memberWithPoints(shopifyId: string | number, points: number, shop = SHOP) {
  return db.$transaction(async (tx) => {
    const ids = await upsertCustomers(tx, shop, [
      { shopifyId: String(shopifyId), email: null, firstName: "Sam", lastName: "Shopper" },
    ]);
    const customerId = ids.get(String(shopifyId))!;
    await appendEntry(tx, {
      shop,
      customerId,
      delta: points,
      kind: "adjust",
      reason: "Welcome points",
      idempotencyKey: `test:${shop}:${shopifyId}:${points}:${Math.random()}`,
    });
    return customerId;
  });
}
