// The door every webhook route goes through: the body is read under the size cap, the shop header
// must name a shop, the library checks the HMAC (no session needed: webhooks of a shop that has
// uninstalled must still be taken), we check the payload, record the event durably,
// and only then answer 200. Whatever a sender gets wrong is a 4xx with the reason; nothing it sends
// can make us acknowledge an event that could never be processed. A database that cannot take the
// event right now (unreachable, or locked past the busy timeout) is a 503 with Retry-After:
// nothing was recorded, and Shopify delivers again later. Every delivery leaves one log line with
// its shop, topic, event id, status and latency — never anything from the body.
import { databaseUnavailable } from "../db/unavailable.server";
import { BodyNotUtf8, BodyTooLarge, readBodyCapped } from "../http/body.server";
import { nestsDeeperThan } from "../http/json-depth";
import { log } from "../log.server";
import { shopDomain } from "../shopify/shop-domain";
import { verifyWebhook } from "../shopify.server";
import { record } from "./inbox.server";
import { describeIssues, TOPICS, type Topic } from "./payloads";

/** Shopify's order payloads nest about 6 deep; 64 leaves room and refuses pathological bodies. */
export const MAX_JSON_DEPTH = 64;

function reject(status: number, reason: string) {
  return new Response(JSON.stringify({ error: reason }), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** Seconds Shopify is asked to wait before delivering again when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 10;

type Outcome = { response: Response; reason?: string; shop?: string; topic?: string; eventId?: string; unavailable?: string };

export async function receiveWebhook(request: Request, expected: Topic): Promise<Response> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await receive(request, expected);
  } catch (error) {
    // Not the sender's fault and not an outage: a bug of ours. 500, and Shopify retries.
    outcome =
      error instanceof Response
        ? { response: error, reason: "answered by a thrown response" }
        : { response: new Response(null, { status: 500 }), reason: String(error).slice(0, 500) };
  }
  const { response, reason, unavailable } = outcome;
  const fields = {
    path: new URL(request.url).pathname,
    shop: outcome.shop,
    topic: outcome.topic ?? expected,
    // The header as sent, bounded: a sender's junk must not bloat the log.
    eventId: outcome.eventId ?? request.headers.get("x-shopify-event-id")?.slice(0, 100) ?? null,
    status: response.status,
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
    ...(reason ? { reason } : {}),
    ...(unavailable ? { databaseUnavailable: unavailable } : {}),
  };
  if (response.status < 300) log.info("webhook.received", fields);
  else if (response.status < 500) log.warn("webhook.rejected", fields);
  else if (response.status === 503) log.warn("webhook.unavailable", fields);
  else log.error("webhook.failed", fields);
  return response;
}

async function receive(request: Request, expected: Topic): Promise<Outcome> {
  const refuse = (status: number, reason: string, fields: { shop?: string; topic?: string } = {}): Outcome => {
    return { response: reject(status, reason), reason, ...fields };
  };

  let body: string;
  try {
    body = await readBodyCapped(request);
  } catch (error) {
    if (error instanceof BodyTooLarge) return refuse(413, error.message);
    if (error instanceof BodyNotUtf8) return refuse(400, error.message);
    return refuse(400, "the body could not be read");
  }
  // Before the library or anything of ours reads the header: it becomes a database key.
  const shop = shopDomain(request.headers.get("x-shopify-shop-domain"));
  if (!shop) return refuse(400, "X-Shopify-Shop-Domain is not a shop domain (*.myshopify.com)");

  // The signature is checked over `body`, the text as received; the headers come from the request.
  const verified = verifyWebhook(request, body);
  if (!verified.valid) {
    // A delivery that is not a webhook at all (no signature, Shopify's headers missing) is malformed;
    // one whose signature does not match is unauthorised.
    if ("missingHeaders" in verified) return refuse(400, `missing headers: ${verified.missingHeaders.join(", ")}`, { shop });
    if (verified.reason === "missing_hmac") return refuse(400, "missing X-Shopify-Hmac-Sha256 header", { shop });
    if (verified.reason === "missing_body") return refuse(400, "empty body", { shop });
    return refuse(401, "invalid HMAC signature", { shop });
  }
  // The verdict gives the topic as the library keys it (orders/paid → ORDERS_PAID), as are ours.
  const topic = verified.topic;
  if (topic !== expected) {
    return refuse(400, `topic ${topic} was sent to the ${expected} endpoint`, { shop, topic });
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return refuse(400, `body nests deeper than ${MAX_JSON_DEPTH} levels`, { shop, topic: expected });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return refuse(400, "body is not valid JSON", { shop, topic: expected });
  }
  const parsed = TOPICS[expected].safeParse(payload);
  if (!parsed.success) {
    return refuse(400, `invalid ${expected} payload: ${describeIssues(parsed.error)}`, { shop, topic: expected });
  }
  // X-Shopify-Event-Id names the event across retries and subscriptions; older deliveries lack it.
  const eventId = request.headers.get("x-shopify-event-id") ?? ("webhookId" in verified ? verified.webhookId : null);
  if (!eventId || eventId.length > 255) return refuse(400, "X-Shopify-Event-Id is missing or too long", { shop });
  // The body exactly as signed is what the inbox keeps; the parsed payload rides along, so the
  // processor need not parse it again (it does for a retry, or after a restart).
  try {
    await record({ shop, eventId, topic: expected, payload: body, parsed: parsed.data });
  } catch (error) {
    const unavailable = databaseUnavailable(error);
    if (!unavailable) throw error;
    return {
      response: new Response(JSON.stringify({ error: "the database is unavailable; deliver again later" }), {
        status: 503,
        headers: { "Content-Type": "application/json", "Retry-After": String(RETRY_AFTER_SECONDS) },
      }),
      reason: "database unavailable",
      unavailable,
      shop,
      topic: expected,
      eventId,
    };
  }
  return { response: new Response(null, { status: 200 }), shop, topic: expected, eventId };
}

/** GET and friends on a webhook URL. */
export function methodNotAllowed() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
