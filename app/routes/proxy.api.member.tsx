// GET /proxy/api/member — the shopper's balance, tier, rewards and recent activity (a guest: the program).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { memberView } from "~/loyalty/widget-view.server";
import { isResponse, json, problem, verifyProxyRequest } from "~/storefront/proxy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const proxy = await verifyProxyRequest(request);
  if (isResponse(proxy)) return proxy;
  return json(200, await memberView(proxy.shop, proxy.customerShopifyId));
}

export const action = () => problem(405, "method_not_allowed", "Use GET.", {}, { Allow: "GET" });
