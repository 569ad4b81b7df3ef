// POST /api/checkout/redeem { rewardId, idempotencyKey }: points into a code from checkout,
// which the extension then applies with applyDiscountCodeChange. Signed-in buyers only.
import { json, type ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { customerFromToken, idempotencyKeyOf, redeemFromExtension, shopFromToken } from "~/loyalty/checkout-view.server";

const MAX_BODY_BYTES = 4096;

export async function action({ request }: ActionFunctionArgs) {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  if (request.method !== "POST") return cors(new Response(null, { status: 405, headers: { Allow: "POST" } }));
  const shop = shopFromToken(sessionToken.dest);
  if (!shop) return cors(json({ error: "invalid_token" }, { status: 401 }));
  const customer = customerFromToken(sessionToken.sub);
  if (!customer) return cors(json({ error: "sign_in_required", message: "Sign in to redeem your points." }, { status: 403 }));
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return cors(json({ error: "body_too_large" }, { status: 413 }));
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    return cors(json({ error: "bad_json", message: "The body is not valid JSON." }, { status: 400 }));
  }
  const result = await redeemFromExtension(shop, customer, body, idempotencyKeyOf(body));
  return cors(json(result.body, { status: result.status, headers: { "Cache-Control": "private, no-store", ...result.headers } }));
}

export const loader = async ({ request }: ActionFunctionArgs) => {
  const { cors } = await authenticate.public.checkout(request);
  return cors(new Response(null, { status: 405, headers: { Allow: "POST" } }));
};
