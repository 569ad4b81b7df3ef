// POST /flow/lifecycle — Shopify Flow's trigger lifecycle callback (extensions/regulars-flow-lifecycle):
// which shops have an enabled workflow using our triggers, so Flow events are recorded only for them.
import type { ActionFunctionArgs } from "@remix-run/node";
import { config } from "~/config.server";
import { BodyNotUtf8, BodyTooLarge, readBodyCapped } from "~/http/body.server";
import { receiveTriggerLifecycle } from "~/loyalty/flow-events.server";
import { log } from "~/log.server";

const MAX_BODY_BYTES = 4096;

const answer = (status: number, reason: string) =>
  new Response(JSON.stringify(status === 200 ? { ok: true } : { error: reason }), {
    status,
    headers: { "content-type": "application/json" },
  });

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return answer(405, "method_not_allowed");
  let body: string;
  try {
    body = await readBodyCapped(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) return answer(413, "body_too_large");
    if (error instanceof BodyNotUtf8) return answer(400, "body_not_utf8");
    throw error;
  }
  const result = await receiveTriggerLifecycle(body, request.headers.get("x-shopify-hmac-sha256"), config().SHOPIFY_API_SECRET);
  if (result.status !== 200) log.info("flow.lifecycle_refused", { status: result.status, reason: result.reason });
  return answer(result.status, result.reason);
}

export const loader = () => answer(405, "method_not_allowed");
