// POST /proxy/api/redeem { rewardId } (JSON or form), Idempotency-Key header — points into a code,
// or for a store-credit reward into the shopper's Shopify store credit (`storeCredit` instead of `code`).
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { REDEEM_FAILURE_STATUS, redeem, redeemedBody } from "~/loyalty/redemption.server";
import { isResponse, json, problem, readProxyBody, verifyProxyRequest } from "~/storefront/proxy.server";
import { tooManyAttempts } from "~/loyalty/redemption-attempts.server";

const MAX_BODY_BYTES = 4096;
const body = z.object({
  rewardId: z.union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^\d{1,12}$/)
      .transform(Number),
  ]),
});
const idempotencyKey = z.string().regex(/^[\w.:-]{8,128}$/);
/** Without a key, requests for the same reward within this window are one redemption (a double submit). */
const DERIVED_KEY_WINDOW_MS = 10_000;

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return problem(405, "method_not_allowed", "Use POST.", {}, { Allow: "POST" });
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return problem(413, "body_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`);
  }
  const proxy = await verifyProxyRequest(request);
  if (isResponse(proxy)) return proxy;
  if (!proxy.customerShopifyId) return problem(403, "sign_in_required", "Sign in to redeem your points.");

  let input: z.infer<typeof body>;
  try {
    const parsed = body.safeParse(await readProxyBody(request, MAX_BODY_BYTES));
    if (!parsed.success) return problem(400, "bad_request", "Send { rewardId } as JSON or a form.");
    input = parsed.data;
  } catch (error) {
    if (isResponse(error)) return error;
    throw error;
  }
  const header = request.headers.get("idempotency-key");
  if (header !== null && !idempotencyKey.safeParse(header).success) {
    return problem(400, "bad_idempotency_key", "Idempotency-Key must be 8 to 128 letters, digits, '-', '_', '.' or ':'.");
  }
  const key = header ?? `derived:${input.rewardId}:${Math.floor(Date.now() / DERIVED_KEY_WINDOW_MS)}`;

  const wait = tooManyAttempts(`${proxy.shop}|${proxy.customerShopifyId}`);
  if (wait > 0)
    return problem(429, "too_many_attempts", "Too many tries. Wait a moment and try again.", {}, { "Retry-After": String(wait) });

  const result = await redeem({
    shop: proxy.shop,
    customerShopifyId: proxy.customerShopifyId,
    rewardId: input.rewardId,
    idempotencyKey: key,
  });
  if (!result.ok) {
    const headers: Record<string, string> = REDEEM_FAILURE_STATUS[result.error] === 503 ? { "Retry-After": "5" } : {};
    return problem(REDEEM_FAILURE_STATUS[result.error], result.error, result.message, { points: result.points }, headers);
  }
  return json(200, redeemedBody(result));
}

export const loader = () => problem(405, "method_not_allowed", "Use POST.", {}, { Allow: "POST" });
