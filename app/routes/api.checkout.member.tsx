// GET /api/checkout/member: the checkout extension's view of the shopper (Plus shops: the
// reductions target shows it under the discount field): points, the rewards they can afford,
// codes they have not used. Session-token auth; the customer comes only from the token's `sub`,
// present when the buyer is signed in; otherwise a guest.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { customerFromToken, extensionMember, shopFromToken } from "~/loyalty/checkout-view.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  const shop = shopFromToken(sessionToken.dest);
  if (!shop) return cors(json({ error: "invalid_token" }, { status: 401 }));
  const member = await extensionMember(shop, customerFromToken(sessionToken.sub), { onlyAffordable: true });
  return cors(json(member, { headers: { "Cache-Control": "private, no-store" } }));
}

// The extension's cross-origin fetch is preflighted with OPTIONS, which Remix hands to the action:
// the library answers the preflight; any other method is refused.
export async function action({ request }: ActionFunctionArgs) {
  const { cors } = await authenticate.public.checkout(request);
  return cors(new Response(null, { status: 405, headers: { Allow: "GET" } }));
}
