// Admin GraphQL: Shopify Flow triggers (API 2026-10). `flowTriggerReceive(handle, payload)` starts
// the merchant's workflows that begin with the trigger; the payload carries the trigger's fields
// as its extension declares them (extensions/regulars-flow-*/shopify.extension.toml), with the
// customer as `customer_id`. Shopify's lifecycle callback tells which shops have such workflows.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { graphqlOnce, type AdminGraphql, type ThrottleStatus } from "./graphql-budget.server";

export { FLOW_TRIGGERS, FLOW_TRIGGER_HANDLES, type FlowTrigger } from "./flow-triggers";

export const FLOW_TRIGGER_COST = 10;

/** Shopify refused the trigger (unknown handle, payload not matching the fields): sending again will not help. */
export class FlowTriggerRefused extends Error {
  name = "FlowTriggerRefused";
}

const TRIGGER_RECEIVE = `#graphql
  mutation RegularsFlowTrigger($handle: String, $payload: JSON) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }`;

/** Fires one trigger. Throws `ShopifyThrottled` / `ShopifyCallFailed` (try later) or `FlowTriggerRefused`. */
export async function fireFlowTrigger(
  admin: AdminGraphql,
  handle: string,
  payload: Record<string, unknown>,
  timeoutMs: number,
): Promise<{ throttle: ThrottleStatus | null }> {
  const { data, throttle } = await graphqlOnce(
    admin,
    TRIGGER_RECEIVE,
    { handle, payload },
    { timeoutMs, cost: FLOW_TRIGGER_COST },
  );
  const userErrors = (data.flowTriggerReceive as { userErrors?: Array<{ message: string }> } | undefined)?.userErrors;
  if (!userErrors) throw new FlowTriggerRefused("flowTriggerReceive answered without a payload");
  if (userErrors.length) throw new FlowTriggerRefused(userErrors.map((e) => e.message).join("; "));
  return { throttle };
}

/** The body of Shopify Flow's trigger lifecycle callback. */
export const lifecycleCallback = z.object({
  flow_trigger_definition_id: z.string().min(1),
  has_enabled_flow: z.boolean(),
  shop_id: z.union([z.number(), z.string()]).optional(),
  shopify_domain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
  timestamp: z.string().datetime({ offset: true }),
});
export type LifecycleCallback = z.infer<typeof lifecycleCallback>;

/** Flow signs the callback like a webhook: base64 HMAC-SHA256 of the raw body with the app's secret. */
export function lifecycleSignatureValid(rawBody: string, hmacHeader: string | null, secret: string): boolean {
  if (!hmacHeader) return false;
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  const given = Buffer.from(hmacHeader, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
