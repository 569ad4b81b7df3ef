// Our webhook verifier (app/shopify/webhook-hmac.server.ts) against the one it replaces,
// `@shopify/shopify-api`'s `webhooks.validate`, configured as the app configures it: on every
// delivery generated here — valid ones, bodies changed after signing, signatures spelled every
// other way (hex, URL-safe Base64, no padding, extra padding, whitespace, wrong length, another
// secret, the body's Latin-1 bytes), headers missing, empty or sent twice, both header families,
// Unicode and lone-surrogate bodies, the empty body — both must give the same verdict, field for
// field. ADR 0035 rests on this file.
import "@shopify/shopify-api/adapters/web-api";
import { createHmac, randomBytes } from "node:crypto";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyWebhookDelivery } from "../../app/shopify/webhook-hmac.server";

/** The app's kind of secret, one with non-ASCII characters (the key is its UTF-8 bytes), and a one-letter one. */
const SECRETS = ["3f9c2e0a7b6d4c1e8f5a9b2c7d0e4f61", "sëcret-✓-ключ", "s"];
const libraries = SECRETS.map((secret) =>
  shopifyApi({
    apiKey: "test-api-key",
    apiSecretKey: secret,
    apiVersion: ApiVersion.October26,
    hostName: "regulars.example.com",
    hostScheme: "https",
    isEmbeddedApp: true,
    logger: { log: () => {}, level: LogSeverity.Debug },
  }),
);

const hmac = (secret: string, body: string | Buffer) => createHmac("sha256", Buffer.from(secret, "utf8")).update(body);
const base64 = (secret: string, body: string) => hmac(secret, Buffer.from(body, "utf8")).digest("base64");

/** Bodies: empty, JSON, Unicode of every kind, lone surrogates, a byte-order mark, whitespace. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const bodies = fc.oneof(
  fc.constant(""),
  fc.json(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom("a", "é", "😀", "\u0000")), maxLength: 12 }),
  fc.json().map((json) => `\uFEFF${json}`),
  fc.constantFrom(" ", "\n", "\t\r\n", "{}", "null", "café", "cafe\u0301", "😀", "\uD83D", "\uDE00x"),
);

/** A body changed after it was signed: one character more, less, replaced, or renormalised. */
const tamper = (body: string, how: number) => {
  switch (how % 5) {
    case 0:
      return `${body} `;
    case 1:
      return body.length ? body.slice(0, -1) : "x";
    case 2:
      return body.length ? `${String.fromCharCode(body.charCodeAt(0) ^ 1)}${body.slice(1)}` : "\u0001";
    case 3:
      return body.normalize("NFD") === body ? `${body}\u0301` : body.normalize("NFD");
    default:
      return body.toUpperCase() === body ? `${body}a` : body.toUpperCase();
  }
};

type Signature = { kind: string; values: readonly string[] };

/** The X-Shopify-Hmac-Sha256 values a delivery carries (none, one, or two), and what they are. */
function signatures(body: string, secret: string): fc.Arbitrary<Signature> {
  const right = base64(secret, body);
  const bytes = Buffer.from(right, "base64");
  const one = (kind: string, value: string): Signature => ({ kind, values: [value] });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(one("valid", right)) },
    { weight: 1, arbitrary: fc.constantFrom(" ", "\t").map((ws) => one("valid padded by whitespace", `${ws}${right}${ws}`)) },
    { weight: 2, arbitrary: fc.nat(4).map((how) => one("tampered body", base64(secret, tamper(body, how)))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...SECRETS, "wrong-secret").map((other) => one("other secret", base64(other, body))),
    },
    { weight: 1, arbitrary: fc.constant(one("hex", bytes.toString("hex"))) },
    { weight: 1, arbitrary: fc.constant(one("url-safe", bytes.toString("base64url"))) },
    {
      weight: 1,
      arbitrary: fc.constant(one("url-safe alphabet, padded", right.replace(/\+/g, "-").replace(/\//g, "_"))),
    },
    { weight: 1, arbitrary: fc.constant(one("no padding", right.replace(/=+$/, ""))) },
    { weight: 1, arbitrary: fc.constant(one("extra padding", `${right}=`)) },
    { weight: 1, arbitrary: fc.nat(43).map((at) => one("inner space", `${right.slice(0, at)} ${right.slice(at)}`)) },
    { weight: 1, arbitrary: fc.constant(one("truncated", right.slice(0, -2))) },
    { weight: 1, arbitrary: fc.constant(one("lower-cased", right.toLowerCase())) },
    { weight: 1, arbitrary: fc.constant(one("latin-1 body bytes", hmac(secret, Buffer.from(body, "latin1")).digest("base64"))) },
    { weight: 1, arbitrary: fc.constant(one("random digest", randomBytes(32).toString("base64"))) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "binary-ascii", maxLength: 50 }).map((s) => one("junk", s.replace(/[\0\r\n]/g, ""))),
    },
    { weight: 1, arbitrary: fc.constant(one("empty", "")) },
    { weight: 1, arbitrary: fc.constant({ kind: "missing", values: [] }) },
    { weight: 1, arbitrary: fc.constant({ kind: "sent twice", values: [right, right] }) },
    { weight: 1, arbitrary: fc.constant({ kind: "sent twice, one wrong", values: [right, base64("wrong", body)] }) },
  );
}

/** A header that may be missing, empty, present once or twice (Latin-1 values, as HTTP carries them). */
const header = (values: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 8, arbitrary: values.map((v) => [v]) },
    { weight: 1, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.constant([""]) },
    { weight: 1, arbitrary: fc.tuple(values, values).map(([a, b]) => [a, b]) },
  );
const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 });
const topics = fc.oneof(fc.constantFrom("orders/paid", "ORDERS/PAID", "app/uninstalled", "shop.redact", "ördérs/paid"), latin1);
const others = {
  topic: header(topics),
  domain: header(fc.oneof(fc.constant("shop-1.myshopify.com"), latin1)),
  apiVersion: header(fc.constantFrom("2026-10", "2025-01", "unstable")),
  webhookId: header(fc.oneof(fc.uuid(), latin1)),
  eventId: header(fc.oneof(fc.uuid(), latin1)),
  name: header(latin1),
  triggeredAt: header(fc.constantFrom("2026-11-01T10:00:00.000Z", "yesterday")),
  handle: header(latin1),
  action: header(fc.constantFrom("create", "update")),
};

/** The prefixed (X-Shopify-*) family, the unprefixed "events" one, or both at once. */
const families = fc.constantFrom("webhooks", "events", "both");
const NAMES = {
  webhooks: {
    hmac: "X-Shopify-Hmac-Sha256",
    topic: "X-Shopify-Topic",
    domain: "X-Shopify-Shop-Domain",
    apiVersion: "X-Shopify-API-Version",
    webhookId: "X-Shopify-Webhook-Id",
    eventId: "X-Shopify-Event-Id",
    name: "X-Shopify-Name",
    triggeredAt: "X-Shopify-Triggered-At",
  },
  events: {
    hmac: "shopify-hmac-sha256",
    topic: "shopify-topic",
    domain: "shopify-shop-domain",
    apiVersion: "shopify-api-version",
    webhookId: "shopify-webhook-id",
    triggeredAt: "shopify-triggered-at",
    handle: "shopify-handle",
    action: "shopify-action",
  },
} as const;

/** Header names as senders spell them: any case. */
const recased = (name: string, seed: number) =>
  [...name].map((c, i) => ((seed >> (i % 16)) & 1 ? c.toUpperCase() : c.toLowerCase())).join("");

const deliveries = fc
  .record({ secretIndex: fc.nat(SECRETS.length - 1), body: bodies, family: families, casing: fc.nat(), ...others })
  .chain((d) =>
    fc
      .record({
        signature: signatures(d.body, SECRETS[d.secretIndex]),
        // In "both", a signature under the other family's name too (sometimes wrong).
        otherSignature: signatures(d.body, SECRETS[d.secretIndex]),
        order: fc.nat(),
      })
      .map((s) => ({ ...d, ...s })),
  );

type Delivery = typeof deliveries extends fc.Arbitrary<infer T> ? T : never;

function requestOf(d: Delivery): Request {
  const headers = new Headers({ "Content-Type": "application/json" });
  const entries: [string, string][] = [];
  const add = (family: keyof typeof NAMES, signature: Signature) => {
    const names = NAMES[family] as Record<string, string>;
    for (const value of signature.values) entries.push([names.hmac, value]);
    for (const [key, name] of Object.entries(names)) {
      if (key === "hmac") continue;
      for (const value of d[key as keyof typeof others]) entries.push([name, value]);
    }
  };
  if (d.family !== "events") add("webhooks", d.signature);
  if (d.family === "events") add("events", d.signature);
  if (d.family === "both") add("events", d.otherSignature);
  // A sender's header order, and its spelling of the names, must not matter.
  const rotate = entries.length ? d.order % entries.length : 0;
  for (const [name, value] of [...entries.slice(rotate), ...entries.slice(0, rotate)]) {
    headers.append(recased(name, d.casing), value);
  }
  return new Request("https://regulars.example.com/webhooks/orders/paid", { method: "POST", headers, body: d.body || null });
}

describe("the webhook verifier", () => {
  it("gives the library's verdict on 12,000 generated deliveries", async () => {
    const verdicts = new Map<string, number>();
    const kinds = new Map<string, number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(deliveries, async (d) => {
        const request = requestOf(d);
        const secret = SECRETS[d.secretIndex];
        const theirs = await libraries[d.secretIndex].webhooks.validate({ rawBody: d.body, rawRequest: request });
        const ours = verifyWebhookDelivery(request.headers, d.body, secret);
        expect(ours).toStrictEqual(theirs);
        runs++;
        const verdict = ours.valid ? `valid ${ours.webhookType}` : ours.reason;
        verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
        kinds.set(d.signature.kind, (kinds.get(d.signature.kind) ?? 0) + 1);
      }),
      { numRuns: 12_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(12_000);
    // The generator reached every verdict often, and every way of spelling a signature.
    for (const verdict of ["valid webhooks", "valid events", "invalid_hmac", "missing_headers", "missing_hmac", "missing_body"]) {
      expect(verdicts.get(verdict) ?? 0, verdict).toBeGreaterThan(100);
    }
    expect(kinds.size).toBe(19);
    for (const [kind, n] of kinds) expect(n, kind).toBeGreaterThan(100);
  }, 120_000);

  it("takes a signature only in its canonical Base64 spelling", () => {
    // A body whose digest has both + and /, so the URL-safe alphabet really differs.
    const secret = SECRETS[0];
    const body = Array.from({ length: 200 }, (_, n) => `{"id":${n}}`).find((b) => /[+/]/.test(base64(secret, b)))!;
    const right = base64(secret, body);
    const headersWith = (signature: string) =>
      new Headers({
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Shop-Domain": "shop-1.myshopify.com",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": "w-1",
      });
    expect(verifyWebhookDelivery(headersWith(right), body, secret)).toMatchObject({ valid: true, topic: "ORDERS_PAID" });
    for (const other of [
      right.replace(/\+/g, "-").replace(/\//g, "_"),
      right.replace(/=+$/, ""),
      `${right}=`,
      Buffer.from(right, "base64").toString("hex"),
    ]) {
      expect(verifyWebhookDelivery(headersWith(other), body, secret)).toEqual({ valid: false, reason: "invalid_hmac" });
    }
  });
});
