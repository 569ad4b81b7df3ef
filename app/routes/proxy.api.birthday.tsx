// POST /proxy/api/birthday { birthday: "MM-DD" } (JSON or form) — the signed-in shopper's birthday,
// for the once-a-year bonus. One change per 365 days: 409 with the day it may change again.
import type { ActionFunctionArgs } from "@remix-run/node";
import { setBirthday } from "~/loyalty/birthdays.server";
import { log } from "~/log.server";
import { isResponse, json, problem, readProxyBody, verifyProxyRequest } from "~/storefront/proxy.server";

const MAX_BODY_BYTES = 1024;

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return problem(405, "method_not_allowed", "Use POST.", {}, { Allow: "POST" });
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return problem(413, "body_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`);
  }
  const proxy = await verifyProxyRequest(request);
  if (isResponse(proxy)) return proxy;
  if (!proxy.customerShopifyId) return problem(403, "sign_in_required", "Sign in to add your birthday.");
  let body: unknown;
  try {
    body = await readProxyBody(request, MAX_BODY_BYTES);
  } catch (error) {
    if (isResponse(error)) return error;
    throw error;
  }
  const input = body && typeof body === "object" ? (body as Record<string, unknown>).birthday : undefined;
  const result = await setBirthday(proxy.shop, proxy.customerShopifyId, input);
  if (result.ok) return json(200, { birthday: result.birthday });
  if (result.error === "invalid_birthday") {
    log.info("birthday.refused", { shop: proxy.shop, reason: "invalid" });
    return problem(400, "invalid_birthday", result.reason);
  }
  log.info("birthday.refused", { shop: proxy.shop, reason: "locked" });
  return problem(409, "birthday_locked", `Your birthday can change again on ${result.changeableOn}.`, {
    birthday: result.birthday,
    changeableOn: result.changeableOn,
  });
}

export const loader = () => problem(405, "method_not_allowed", "Use POST.", {}, { Allow: "POST" });
