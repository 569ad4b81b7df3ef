// GET /proxy/api/history?cursor= — the signed-in shopper's points history, newest first, a page at a time.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { historyPage } from "~/loyalty/widget-view.server";
import { isResponse, json, problem, verifyProxyRequest } from "~/storefront/proxy.server";

const query = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .nullish(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const proxy = await verifyProxyRequest(request);
  if (isResponse(proxy)) return proxy;
  if (!proxy.customerShopifyId) return problem(403, "sign_in_required", "Sign in to see your points history.");
  const parsed = query.safeParse({ cursor: new URL(request.url).searchParams.get("cursor") });
  if (!parsed.success) return problem(400, "bad_cursor", "The cursor is not one this API returned.");
  return json(200, await historyPage(proxy.shop, proxy.customerShopifyId, parsed.data.cursor ?? null));
}

export const action = () => problem(405, "method_not_allowed", "Use GET.", {}, { Allow: "GET" });
