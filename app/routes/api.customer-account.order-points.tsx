// GET /api/customer-account/order-points?orderId=gid://shopify/Order/123: the points one order
// earned, for the order-status block. Only the token's customer's own orders are found.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { customerFromToken, orderIdParam, pointsOfOrder, shopFromToken } from "~/loyalty/checkout-view.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { sessionToken, cors } = await authenticate.public.customerAccount(request);
  const shop = shopFromToken(sessionToken.dest);
  if (!shop) return cors(json({ error: "invalid_token" }, { status: 401 }));
  const customer = customerFromToken(sessionToken.sub);
  if (!customer) return cors(json({ error: "customer_required" }, { status: 403 }));
  const orderId = orderIdParam(new URL(request.url).searchParams.get("orderId"));
  if (!orderId) return cors(json({ error: "invalid_order_id" }, { status: 400 }));
  const points = await pointsOfOrder(shop, customer, orderId);
  // Someone else's order and an order not recorded yet look the same from outside.
  if (!points) return cors(json({ error: "not_found" }, { status: 404, headers: { "Cache-Control": "private, no-store" } }));
  return cors(json(points, { headers: { "Cache-Control": "private, no-store" } }));
}

export async function action({ request }: ActionFunctionArgs) {
  const { cors } = await authenticate.public.customerAccount(request);
  return cors(new Response(null, { status: 405, headers: { Allow: "GET" } }));
}
