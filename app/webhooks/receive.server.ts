// The door every webhook route goes through: the library checks the HMAC, we check the payload,
// record the event durably, and only then answer 200.
import { authenticate } from "../shopify.server";
import { log } from "../log.server";
import { record } from "./inbox.server";
import { describeIssues, TOPICS, type Topic } from "./payloads";

const MAX_BODY_BYTES = 2 * 1024 * 1024;

function reject(status: number, reason: string) {
  return new Response(JSON.stringify({ error: reason }), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export async function receiveWebhook(request: Request, expected: Topic): Promise<Response> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) {
    log.warn("webhook.rejected", { reason: "body too large", bytes: length });
    return reject(413, `body over ${MAX_BODY_BYTES} bytes`);
  }
  let webhook: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    webhook = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) {
      log.warn("webhook.rejected", { status: error.status, reason: error.statusText, path: new URL(request.url).pathname });
      return reject(error.status, error.status === 401 ? "invalid HMAC signature" : error.statusText || "rejected");
    }
    if (error instanceof SyntaxError) {
      log.warn("webhook.rejected", { reason: "malformed JSON", path: new URL(request.url).pathname });
      return reject(400, "body is not valid JSON");
    }
    throw error;
  }
  if (webhook.topic !== expected) {
    log.warn("webhook.rejected", { shop: webhook.shop, reason: "topic mismatch", topic: webhook.topic, expected });
    return reject(400, `topic ${webhook.topic} was sent to the ${expected} endpoint`);
  }
  const parsed = TOPICS[expected].safeParse(webhook.payload);
  if (!parsed.success) {
    const reason = describeIssues(parsed.error);
    log.warn("webhook.rejected", { shop: webhook.shop, topic: expected, reason });
    return reject(400, `invalid ${expected} payload: ${reason}`);
  }
  // X-Shopify-Event-Id names the event across retries and subscriptions; older deliveries lack it.
  const eventId = request.headers.get("x-shopify-event-id") ?? webhook.webhookId;
  await record({ shop: webhook.shop, eventId, topic: expected, payload: JSON.stringify(webhook.payload) });
  return new Response(null, { status: 200 });
}

/** GET and friends on a webhook URL. */
export function methodNotAllowed() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
