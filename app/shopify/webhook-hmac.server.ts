// A webhook's signature and headers checked with Node's own crypto and a key prepared once, with
// the same verdict as `@shopify/shopify-api`'s `webhooks.validate` (15.0) on every input: same
// checks in the same order, same reasons, same fields. The library imports its HMAC key through
// WebCrypto on every call and hops through promises for it, which on a 2-core box was about
// 0.4 ms of every delivery, the largest single cost of the webhook path (ADR 0035).
// test/shopify/webhook-hmac.test.ts compares both verdicts on 10,000+ generated deliveries.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

/** The header names of each kind of delivery, spelled as the library reports missing ones. */
const WEBHOOKS = {
  hmac: "X-Shopify-Hmac-Sha256",
  topic: "X-Shopify-Topic",
  domain: "X-Shopify-Shop-Domain",
  apiVersion: "X-Shopify-API-Version",
  webhookId: "X-Shopify-Webhook-Id",
  name: "X-Shopify-Name",
  triggeredAt: "X-Shopify-Triggered-At",
  eventId: "X-Shopify-Event-Id",
} as const;
/** Shopify's newer "events" deliveries carry the same facts under unprefixed names. */
const EVENTS = {
  hmac: "shopify-hmac-sha256",
  topic: "shopify-topic",
  domain: "shopify-shop-domain",
  apiVersion: "shopify-api-version",
  webhookId: "shopify-webhook-id",
  handle: "shopify-handle",
  action: "shopify-action",
  triggeredAt: "shopify-triggered-at",
} as const;

type Common = { hmac: string; topic: string; domain: string; apiVersion: string; webhookId: string };
export type WebhookVerdict =
  | ({ valid: true; webhookType: "webhooks"; name?: string; triggeredAt?: string; eventId?: string } & Common)
  | ({ valid: true; webhookType: "events"; handle?: string; action?: string; triggeredAt?: string } & Common)
  | { valid: false; reason: "missing_body" | "missing_hmac" | "invalid_hmac" }
  | { valid: false; reason: "missing_headers"; missingHeaders: string[] };

/** What the verifier reads of a request: its headers, as the Fetch API's `Headers.get` gives them. */
export type HeaderReader = { get(name: string): string | null };

let cached: { secret: string; key: KeyObject } | undefined;

/** The HMAC key of `secret` (its UTF-8 bytes, as the library encodes it), prepared once. */
function keyOf(secret: string): KeyObject {
  if (cached?.secret !== secret) cached = { secret, key: createSecretKey(Buffer.from(secret, "utf8")) };
  return cached.key;
}

/**
 * Whether `signature` is the Base64 HMAC-SHA256 of `rawBody` (as UTF-8) under `secret`, compared
 * in constant time. Like the library, the header must be the digest's canonical Base64 text
 * exactly (padding included): no other spelling of the same bytes passes.
 */
export function signatureMatches(secret: string, rawBody: string, signature: string): boolean {
  const expected = createHmac("sha256", keyOf(secret)).update(rawBody, "utf8").digest("base64");
  const given = Buffer.from(signature, "utf8");
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, "latin1"));
}

/** The library's topic key: `orders/paid` → `ORDERS_PAID` (dots too). */
function topicKey(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

/**
 * The verdict on a delivery: `headers` as received, `rawBody` the body as text (decoded from
 * UTF-8), `secret` the app's API secret. An empty header counts as missing, as in the library.
 */
export function verifyWebhookDelivery(headers: HeaderReader, rawBody: string, secret: string): WebhookVerdict {
  const read = (name: string) => headers.get(name) || undefined;
  const events = read(EVENTS.hmac) !== undefined;
  const names = events ? EVENTS : WEBHOOKS;

  if (!rawBody.length) return { valid: false, reason: "missing_body" };
  const hmac = read(names.hmac);
  if (!hmac) return { valid: false, reason: "missing_hmac" };
  if (!signatureMatches(secret, rawBody, hmac)) return { valid: false, reason: "invalid_hmac" };

  const missingHeaders: string[] = [];
  const required = (name: string) => {
    const value = read(name);
    if (!value) missingHeaders.push(name);
    return value ?? "";
  };
  const common = {
    hmac: required(names.hmac),
    topic: required(names.topic),
    domain: required(names.domain),
    apiVersion: required(names.apiVersion),
    webhookId: required(names.webhookId),
  };
  if (missingHeaders.length) return { valid: false, reason: "missing_headers", missingHeaders };
  common.topic = topicKey(common.topic);
  const optional = <K extends string>(key: K, name: string): { [P in K]?: string } => {
    const value = read(name);
    return (value ? { [key]: value } : {}) as { [P in K]?: string };
  };
  if (events) {
    return {
      valid: true,
      webhookType: "events",
      ...common,
      ...optional("handle", EVENTS.handle),
      ...optional("action", EVENTS.action),
      ...optional("triggeredAt", EVENTS.triggeredAt),
    };
  }
  return {
    valid: true,
    webhookType: "webhooks",
    ...common,
    ...optional("name", WEBHOOKS.name),
    ...optional("triggeredAt", WEBHOOKS.triggeredAt),
    ...optional("eventId", WEBHOOKS.eventId),
  };
}
