// GET /api/checkout/order-points?subtotal=123.45: what this order earns under the shop's program
// (the thank-you block, every shop). The subtotal is after discounts, in the shop's currency.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { customerFromToken, estimateOrderPoints, shopFromToken, subtotalParam } from "~/loyalty/checkout-view.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  const shop = shopFromToken(sessionToken.dest);
  if (!shop) return cors(json({ error: "invalid_token" }, { status: 401 }));
  const subtotalCents = subtotalParam(new URL(request.url).searchParams.get("subtotal"));
  if (subtotalCents === null) {
    return cors(json({ error: "invalid_subtotal", message: "subtotal must be a decimal amount such as 42.50" }, { status: 400 }));
  }
  const estimate = await estimateOrderPoints(shop, customerFromToken(sessionToken.sub), subtotalCents);
  return cors(json(estimate, { headers: { "Cache-Control": "private, no-store" } }));
}

export async function action({ request }: ActionFunctionArgs) {
  const { cors } = await authenticate.public.checkout(request);
  return cors(new Response(null, { status: 405, headers: { Allow: "GET" } }));
}
