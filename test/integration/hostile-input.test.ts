// Signed but hostile webhooks, as someone holding the secret (or Shopify on a bad day) could send
// them: wrong types, absurd amounts, ids past 2^53, deep nesting, invalid UTF-8, lone surrogates,
// `__proto__` keys, shop headers that are not shops. Every answer is a 2xx or a 4xx with a reason;
// nothing accepted is left unprocessable; the ledger stays whole numbers equal to the balances.
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { MAX_JSON_DEPTH } from "../../app/webhooks/receive.server";
import { useFreshDatabase } from "../support/database";
import { inboxDrained } from "../support/ledger";
import { startApp, TEST_SECRET, type RunningApp } from "../support/server";
import { customerPayload, newId, orderPayload, refundPayload, SHOP } from "../support/shopify";

let app: RunningApp;
beforeAll(async () => {
  const url = await useFreshDatabase();
  app = await startApp(url);
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

type Case = { name: string; topic: string; body: Buffer; shop?: string };

/** Stands in for raw JSON text (numbers JSON.stringify cannot write) until the body is serialised. */
class Raw {
  constructor(readonly text: string) {}
}

function serialise(value: unknown): Buffer {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `__raw_${raws.length - 1}__`;
    }
    return v;
  });
  return Buffer.from(
    text.replace(/"__raw_(\d+)__"/g, (_m, i) => raws[Number(i)]),
    "utf8",
  );
}

function setPath(target: any, path: string, value: unknown) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key];
  node[keys.at(-1)!] = value;
}

/** Objects and arrays `depth` deep, as JSON text (JSON.stringify itself overflows on such values). */
const nested = (depth: number): Raw => {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    open += i % 2 ? "[" : '{"v":';
    close = (i % 2 ? "]" : "}") + close;
  }
  return new Raw(`${open}1${close}`);
};

const protoKey = () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');

const HOSTILE_VALUES: [string, () => unknown][] = [
  ["null", () => null],
  ["true", () => true],
  ["zero", () => 0],
  ["minus one", () => -1],
  ["a fraction", () => 1.5],
  ["1e21", () => 1e21],
  ["-1e21", () => -1e21],
  ["1e400 (raw)", () => new Raw("1e400")],
  ["-0 (raw)", () => new Raw("-0")],
  ["2^53+1 (raw)", () => new Raw("9007199254740993")],
  ["20 digits (raw)", () => new Raw("12345678901234567890")],
  ['"NaN"', () => "NaN"],
  ['"Infinity"', () => "Infinity"],
  ['"1e5"', () => "1e5"],
  ['"0x10"', () => "0x10"],
  ['"99999999999999999999.00"', () => "99999999999999999999.00"],
  ['"10000000.01"', () => "10000000.01"],
  ['"-5.00"', () => "-5.00"],
  ['"9007199254740993"', () => "9007199254740993"],
  ["empty string", () => ""],
  ["spaces", () => "   "],
  ["Arabic digits", () => "١٢٣"],
  ["a lone high surrogate", () => "\ud800"],
  ["a lone low surrogate", () => "a\udfffb"],
  ["5,000 characters", () => "x".repeat(5000)],
  ["markup", () => "<script>alert(1)</script>"],
  ["an impossible date", () => "2026-13-45T99:00:00Z"],
  ["an empty array", () => []],
  ["an empty object", () => ({})],
  ["__proto__ keys", protoKey],
  ["nesting 100 deep", () => nested(100)],
];

const ORDER_PATHS = [
  "id",
  "name",
  "customer",
  "customer.id",
  "customer.email",
  "customer.first_name",
  "customer.last_name",
  "subtotal_price",
  "subtotal_price_set.shop_money.amount",
  "total_price",
  "total_price_set.shop_money.amount",
  "currency",
  "financial_status",
  "test",
  "created_at",
  "processed_at",
  "cancelled_at",
  "refunds",
  "discount_codes",
];
const REFUND_PATHS = [
  "id",
  "order_id",
  "created_at",
  "refund_line_items",
  "refund_line_items.0.subtotal",
  "refund_line_items.0.subtotal_set.shop_money.amount",
];
const CUSTOMER_PATHS = ["id", "email", "first_name", "last_name"];

const ODD_SHOPS = [
  "evil.example.com",
  "../../etc/passwd",
  "shop with spaces.myshopify.com",
  "admin.shopify.com",
  `${"a".repeat(3000)}.myshopify.com`,
  "regulars-test.myshopify.com.evil.com",
  "",
  " ",
  "-bad.myshopify.com",
  "a..myshopify.com",
  "myshopify.com",
  "shop.myshopify.com/admin",
  "ünïcode.myshopify.com",
  "shop.myshopify.com%00",
  "http://shop.myshopify.com",
  "shop.myshopify.com:443",
  "*.myshopify.com",
];

const COMPLIANCE_SHOP = "hostile-compliance.myshopify.com";

function corpus(): Case[] {
  const cases: Case[] = [];
  for (const [label, make] of HOSTILE_VALUES) {
    for (const path of ORDER_PATHS) {
      for (const topic of ["orders/paid", "orders/cancelled"]) {
        const order = orderPayload({ customerId: newId() });
        setPath(order, path, make());
        cases.push({ name: `${topic} ${path} = ${label}`, topic, body: serialise(order) });
      }
    }
    for (const path of REFUND_PATHS) {
      const refund = refundPayload(newId(), "10.00");
      setPath(refund, path, make());
      cases.push({ name: `refunds/create ${path} = ${label}`, topic: "refunds/create", body: serialise(refund) });
    }
    for (const path of CUSTOMER_PATHS) {
      const customer = customerPayload(newId());
      setPath(customer, path, make());
      cases.push({ name: `customers/update ${path} = ${label}`, topic: "customers/update", body: serialise(customer) });
    }
  }
  for (const depth of [MAX_JSON_DEPTH - 2, MAX_JSON_DEPTH + 1, 1_000, 10_000, 100_000]) {
    const order: any = orderPayload({ customerId: newId() });
    order.note_attributes = [{ name: "x", value: nested(depth) }];
    cases.push({ name: `orders/paid with a field nested ${depth} deep`, topic: "orders/paid", body: serialise(order) });
    cases.push({ name: `a body that is only nesting, ${depth} deep`, topic: "orders/paid", body: serialise(nested(depth)) });
  }
  const valid = serialise(orderPayload({ customerId: newId() }));
  const invalidUtf8: [string, Buffer][] = [
    ["a 0xff byte in a name", Buffer.from(valid.toString("latin1").replace('"Sam"', '"S\xffm"'), "latin1")],
    ["a truncated 3-byte sequence", Buffer.concat([valid.subarray(0, 40), Buffer.from([0xe2, 0x82]), valid.subarray(40)])],
    ["an overlong encoding", Buffer.from(valid.toString("latin1").replace('"Sam"', '"S\xc0\xafm"'), "latin1")],
    ["a CESU surrogate", Buffer.from(valid.toString("latin1").replace('"Sam"', '"S\xed\xa0\x80m"'), "latin1")],
    ["a NUL byte", Buffer.from(valid.toString("latin1").replace('"Sam"', '"S\x00m"'), "latin1")],
  ];
  for (const [label, body] of invalidUtf8) cases.push({ name: `orders/paid with ${label}`, topic: "orders/paid", body });
  for (const text of ["", "{", "[]", "null", "42", '"a string"', "{} {}", "{'single': 1}", "\ufeff{}", '{"id": 1,}']) {
    cases.push({ name: `body ${JSON.stringify(text.slice(0, 20))}`, topic: "orders/paid", body: Buffer.from(text) });
  }
  for (const shop of ODD_SHOPS) {
    cases.push({
      name: `shop header ${JSON.stringify(shop.slice(0, 40))}`,
      topic: "orders/paid",
      body: serialise(orderPayload({ customerId: newId() })),
      shop,
    });
  }
  // Compliance topics go to a shop of their own: an accepted shop/redact erases its whole shop.
  for (const topic of ["customers/redact", "customers/data_request", "shop/redact"]) {
    for (const [label, make] of HOSTILE_VALUES) {
      const payload = {
        shop_id: 1,
        shop_domain: COMPLIANCE_SHOP,
        customer: { id: make(), email: make() },
        orders_to_redact: make(),
        orders_requested: make(),
      };
      cases.push({ name: `${topic} with ${label}`, topic, body: serialise(payload), shop: COMPLIANCE_SHOP });
    }
  }
  return cases;
}

async function deliver(c: Case): Promise<number> {
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Topic": c.topic,
    "X-Shopify-Hmac-Sha256": createHmac("sha256", TEST_SECRET).update(c.body).digest("base64"),
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": randomUUID(),
  });
  // Header values must be ByteStrings: a shop the Headers API cannot carry is sent as Latin-1 bytes.
  const shop = c.shop ?? SHOP;
  headers.set("X-Shopify-Shop-Domain", Buffer.from(shop, "utf8").toString("latin1"));
  const response = await fetch(`${app.url}/webhooks/${c.topic}`, { method: "POST", headers, body: new Uint8Array(c.body) });
  await response.arrayBuffer();
  return response.status;
}

describe("a corpus of signed, hostile webhooks", () => {
  it("gets 2xx or 4xx for every case, leaves nothing stuck, and keeps the ledger whole", async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < cases.length) {
          const c = cases[next++];
          const status = await deliver(c);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) fiveHundreds.push(`${c.name}: ${status}`);
          if (status === 401) console.log(`401 (signature not accepted): ${c.name}`);
        }
      }),
    );
    console.log(
      `hostile corpus: ${cases.length} cases → ${[...statuses]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(", ")}`,
    );
    expect(fiveHundreds).toEqual([]);
    for (const status of statuses.keys()) expect(status >= 200 && status < 500, `status ${status}`).toBe(true);

    // The process is alive and every accepted event was processed: none failing, none dead.
    expect(app.process.exitCode).toBeNull();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    await inboxDrained(60_000);
    expect(await db.webhookEvent.count({ where: { OR: [{ deadAt: { not: null } }, { lastError: { not: null } }] } })).toBe(0);
    expect(app.logs()).not.toMatch(/webhook\.unhandled|webhook\.processing_failed/);

    // The accepted orders were applied (the corpus's valid-looking cases earn real points).
    expect(await db.order.count({ where: { shop: SHOP } })).toBeGreaterThan(50);

    // Whole, bounded points, and every cached balance equals its ledger.
    const [{ odd }] = await db.$queryRawUnsafe<{ odd: bigint | number }[]>(
      `SELECT COUNT(*) AS "odd" FROM "LedgerEntry" WHERE CAST("delta" AS INTEGER) <> "delta" OR ABS("delta") > 1000000000`,
    );
    expect(Number(odd)).toBe(0);
    const mismatched = await db.$queryRawUnsafe<unknown[]>(
      `SELECT c."id" FROM "Customer" c LEFT JOIN "LedgerEntry" l ON l."customerId" = c."id"
       GROUP BY c."id", c."pointsBalance" HAVING c."pointsBalance" <> COALESCE(SUM(l."delta"), 0)`,
    );
    expect(mismatched).toEqual([]);
    // Nothing polluted the prototypes of the server's objects (the server would misbehave) or ours.
    expect(({} as any).polluted).toBeUndefined();
  }, 180_000);
});

describe("specific refusals, with the reason", () => {
  const send = async (payload: unknown, options: { shop?: string; topic?: string } = {}) => {
    const body = serialise(payload);
    const response = await fetch(`${app.url}/webhooks/${options.topic ?? "orders/paid"}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": options.topic ?? "orders/paid",
        "X-Shopify-Hmac-Sha256": createHmac("sha256", TEST_SECRET).update(body).digest("base64"),
        "X-Shopify-Shop-Domain": options.shop ?? SHOP,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Event-Id": randomUUID(),
      },
      body: new Uint8Array(body),
    });
    return { status: response.status, body: await response.text() };
  };

  it("refuses two 20-digit order ids instead of merging them into one order", async () => {
    const first = await send({ ...orderPayload(), id: new Raw("12345678901234567891") });
    const second = await send({ ...orderPayload(), id: new Raw("12345678901234567892") });
    expect(first).toMatchObject({ status: 400 });
    expect(first.body).toMatch(/id: an id beyond 2\^53/);
    expect(second.status).toBe(400);
    expect(await db.order.count({ where: { shopifyId: { startsWith: "1234567890123456" } } })).toBe(0);
  });

  it("refuses a subtotal past the bound, and takes the largest one allowed exactly", async () => {
    const huge = await send(orderPayload({ subtotal: "99999999999999999999.00" }));
    expect(huge.status).toBe(400);
    expect(huge.body).toMatch(/subtotal_price.*not an amount between 0 and 10000000/);
    const customerId = newId();
    const order = orderPayload({ customerId, subtotal: "10000000.00" });
    expect((await send(order)).status).toBe(200);
    await inboxDrained();
    const stored = await db.order.findUnique({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(order.id) } } });
    expect(stored?.subtotalCents).toBe(1_000_000_000);
    const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(customerId) } } });
    expect(customer?.pointsBalance).toBe(10_000_000);
  });

  it("stores a lone surrogate in a name as U+FFFD, and processes the order", async () => {
    const customerId = newId();
    const order = orderPayload({ customerId });
    order.customer!.first_name = "Sa\ud800m";
    expect((await send(order)).status).toBe(200);
    await inboxDrained();
    const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop: SHOP, shopifyId: String(customerId) } } });
    expect(customer?.firstName).toBe("Sa\ufffdm");
  });

  it.each([
    ["a host that is not a shop", "evil.example.com"],
    ["the admin's host", "admin.shopify.com"],
    ["a 3,000-character shop", `${"a".repeat(3000)}.myshopify.com`],
  ])("refuses a shop header that is %s before anything stores it", async (_label, shop) => {
    const result = await send(orderPayload(), { shop });
    expect(result.status).toBe(400);
    expect(result.body).toMatch(/X-Shopify-Shop-Domain is not a shop domain/);
    expect(await db.webhookEvent.count({ where: { shop } })).toBe(0);
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels`, async () => {
    const result = await send({ ...orderPayload(), note_attributes: [{ name: "x", value: nested(10_000) }] });
    expect(result.status).toBe(400);
    expect(result.body).toMatch(/nests deeper than 64 levels/);
  });
});
