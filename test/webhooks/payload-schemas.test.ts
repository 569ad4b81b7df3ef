// The payload schemas run on zod 4 (about a quarter of zod 3's CPU per order, the largest part of
// an HTTP worker's cost per delivery: ADR 0035). The rules must not have moved: every topic's
// schema is run beside the zod 3 schemas it replaced (test/fixtures/payloads-zod3.ts) on
// generated payloads — Shopify's shapes with fields removed, added, or replaced by other JSON
// values and by the edge cases of each rule (dates, offsets and leap days, ids near 2^53, amounts
// at the cap, lone surrogates, lengths at each bound) — and both must accept and refuse the same
// payloads and map the accepted ones to the same records. The reasons' wording may differ.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TOPICS, type Topic } from "../../app/webhooks/payloads";
import { TOPICS as ZOD3 } from "../fixtures/payloads-zod3";
import { orderBody } from "../../bench/support/order-body";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const order = (n: number) => JSON.parse(orderBody(n).body) as Record<string, Json>;
const fullOrder: Record<string, Json> = {
  ...order(1),
  discount_codes: [{ code: "SAVE10" }, { code: "ÉTÉ" }],
  note_attributes: [
    { name: "regulars_referral", value: " AB12 " },
    { name: "gift", value: 3 },
  ],
  contact_email: "c@example.com",
  phone: "+15415550199",
  cancelled_at: "2026-11-02T10:00:00Z",
  refunds: [
    {
      id: 77,
      order_id: 6000000001,
      created_at: "2026-11-03T10:00:00.5+01:00",
      processed_at: null,
      refund_line_items: [{ subtotal: "5.00" }, { subtotal: 2.5, subtotal_set: { shop_money: { amount: "2.50" } } }],
    },
  ],
};
const BASES: Record<Topic, Record<string, Json>[]> = {
  ORDERS_PAID: [order(0), fullOrder, { ...order(2), customer: null, shipping_address: null }],
  ORDERS_CANCELLED: [fullOrder, order(3)],
  REFUNDS_CREATE: [
    {
      id: "123",
      order_id: 6000000001,
      created_at: "2026-11-01T10:00:00-05:00",
      processed_at: "2026-11-01T11:00:00Z",
      refund_line_items: [{ subtotal: "10.00", subtotal_set: { shop_money: { amount: "10.00", currency_code: "USD" } } }],
    },
  ],
  CUSTOMERS_CREATE: [
    {
      id: 8000000001,
      email: "a@example.com",
      first_name: "Ada",
      last_name: null,
      phone: "+15415550100",
      metafields: [{ namespace: "facts", key: "birth_date", value: "1990-05-01" }],
    },
  ],
  CUSTOMERS_UPDATE: [{ id: "8000000002", email: null, metafields: [{ namespace: "custom", key: "x", value: { a: 1 } }] }],
  APP_UNINSTALLED: [{ id: 1, name: "Shop", domain: "x.myshopify.com" }],
  CUSTOMERS_DATA_REQUEST: [
    {
      shop_domain: "x.myshopify.com",
      customer: { id: 5, email: "e@example.com" },
      orders_requested: [1, "2"],
      data_request: { id: 9 },
    },
  ],
  CUSTOMERS_REDACT: [{ shop_domain: "x.myshopify.com", customer: { id: 5, email: null }, orders_to_redact: [3] }],
  SHOP_REDACT: [{ shop_domain: "x.myshopify.com", shop_id: 4 }],
};

/** Values at the edges of the schemas' rules, beside arbitrary JSON. */
const EDGES: Json[] = [
  "2026-11-01T10:00:00+0530", "2026-11-01T10:00:00+05", "2026-11-01T10:00+05:30", "2026-11-01T10:00:00.123456Z",
  "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01 10:00:00Z", "2026-11-01T10:00:00",
  "2026-11-01T10:00:00+99:99", "2026-11-01", `2026-11-01T10:00:00.${"1".repeat(30)}Z`,
  "0", "007", "1", "9007199254740991", "9007199254740992", "12345678901234567", "-5", "1.0", " 12",
  0, 1, -1, 1.5, 9007199254740991, 9007199254740992, 2 ** 60, 1e300, -0,
  "10.00", "10000000.00", "10000000.01", "0.001", "1e3", "  5", "", "abc", "-0", "5.", ".5",
  "USD", "usd", "US", "ÉTÉ", "\ud800", "a\udc00b", "x".repeat(64), "x".repeat(65), "x".repeat(255), "x".repeat(256),
  "x".repeat(320), "x".repeat(321), "x".repeat(1000), "x".repeat(1001), "regulars_referral", "facts", "birth_date",
  "1990-02-30", true, false, null, [], {}, [{}], [null], { shop_money: { amount: "1.00" } }, { shop_money: {} },
]; // prettier-ignore

// Lists one past each bound (250 codes, attributes or metafields; 1,000 refunds).
const item = { code: "c", name: "n", value: "v", namespace: "facts", key: "birth_date", id: 1 };
EDGES.push(
  Array.from({ length: 250 }, () => item),
  Array.from({ length: 251 }, () => item),
  Array.from({ length: 1001 }, () => item),
);

const edge = fc.constantFrom(...EDGES);
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: edge },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.array(edge, { maxLength: 3 }) },
);

/** Every path into a value (objects' keys, arrays' indexes), the root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}

type Change = { pick: number; kind: "set" | "delete" | "add"; value: Json; key: string };
const change: fc.Arbitrary<Change> = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom("set", "set", "set", "delete", "add"),
  value,
  key: fc.constantFrom("extra", "id", "customer", "amount", "subtotal", "code", "value", "email", "__proto__"),
});

function mutate(base: Json, changes: Change[]): Json {
  const copy = structuredClone(base);
  for (const c of changes) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = all[c.pick % all.length];
    let parent = copy as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
    const last = path[path.length - 1];
    const target = parent[last];
    if (c.kind === "set") parent[last] = structuredClone(c.value);
    else if (c.kind === "delete" && !Array.isArray(parent)) delete parent[last];
    else if (c.kind === "add" && target && typeof target === "object" && !Array.isArray(target))
      Object.defineProperty(target, c.key, {
        value: structuredClone(c.value),
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return copy;
}

/** Both schemas on one payload (through JSON text, as a delivery arrives): same verdict, same record. */
function compare(topic: Topic, sent: Json): boolean {
  const payload = JSON.parse(JSON.stringify(sent)) as unknown;
  const now = TOPICS[topic].safeParse(payload);
  const before = ZOD3[topic].safeParse(payload);
  expect(now.success, `${topic} ${JSON.stringify(payload).slice(0, 300)}`).toBe(before.success);
  if (now.success && before.success) expect(now.data).toEqual(before.data);
  return now.success;
}

describe("the payload schemas on zod 4 keep zod 3's rules", () => {
  for (const topic of Object.keys(TOPICS) as Topic[]) {
    it(`${topic}: every field removed, or replaced by each edge value in turn`, { timeout: 60_000 }, () => {
      // The order topics share one schema: their fullest payload holds every field it reads.
      const bases = topic === "ORDERS_PAID" || topic === "ORDERS_CANCELLED" ? [fullOrder] : BASES[topic];
      if (topic === "ORDERS_CANCELLED") expect(TOPICS.ORDERS_CANCELLED).toBe(TOPICS.ORDERS_PAID);
      for (const base of bases) {
        for (const path of paths(base)) {
          for (const replacement of [...EDGES, undefined]) {
            const copy = structuredClone(base);
            let parent = copy as Record<string | number, Json>;
            for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
            const last = path[path.length - 1];
            if (replacement === undefined) {
              if (Array.isArray(parent)) continue;
              delete parent[last];
            } else parent[last] = replacement;
            compare(topic, copy);
          }
        }
      }
    });

    it(`${topic}: several changes at once, and whole bodies of other JSON`, () => {
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(fc.nat(), fc.array(change, { maxLength: 3 }), fc.option(value, { freq: 10 }), (which, changes, whole) => {
          const bases = BASES[topic];
          if (compare(topic, whole ?? mutate(bases[which % bases.length], changes))) accepted++;
          else refused++;
        }),
        { numRuns: 3000 },
      );
      // Both outcomes well represented, or the comparison says little (a payload that is any object
      // passes app/uninstalled's schema: only the whole body replaced is refused there).
      expect(Math.min(accepted, refused)).toBeGreaterThan(100);
    });
  }
});
