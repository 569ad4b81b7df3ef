// The Rewards page of the new customer accounts.
// GET  /api/customer-account/rewards?cursor=&limit=  balance, tier, rewards, unused codes and one
//      page of the points history, newest first (`nextCursor` fetches the next page).
// POST /api/customer-account/rewards { rewardId, idempotencyKey }  points into a code.
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import {
  customerFromToken,
  extensionHistory,
  extensionMember,
  idempotencyKeyOf,
  redeemFromExtension,
  shopFromToken,
} from "~/loyalty/checkout-view.server";

const NO_STORE = { "Cache-Control": "private, no-store" };
const MAX_BODY_BYTES = 4096;

async function member(request: Request) {
  const { sessionToken, cors } = await authenticate.public.customerAccount(request);
  const shop = shopFromToken(sessionToken.dest);
  const customer = customerFromToken(sessionToken.sub);
  if (!shop) return { cors, refused: cors(json({ error: "invalid_token" }, { status: 401 })) } as const;
  if (!customer) return { cors, refused: cors(json({ error: "customer_required" }, { status: 403 })) } as const;
  return { cors, shop, customer } as const;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await member(request);
  if ("refused" in auth) return auth.refused;
  const params = new URL(request.url).searchParams;
  const [view, page] = await Promise.all([
    extensionMember(auth.shop, auth.customer),
    extensionHistory(auth.shop, auth.customer, params.get("cursor"), Number(params.get("limit") ?? 20)),
  ]);
  return auth.cors(json({ ...view, history: page.history, nextCursor: page.nextCursor }, { headers: NO_STORE }));
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = await member(request);
  if ("refused" in auth) return auth.refused;
  if (request.method !== "POST") return auth.cors(new Response(null, { status: 405, headers: { Allow: "GET, POST" } }));
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return auth.cors(json({ error: "body_too_large" }, { status: 413 }));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return auth.cors(json({ error: "bad_json", message: "The body is not valid JSON." }, { status: 400 }));
  }
  const result = await redeemFromExtension(auth.shop, auth.customer, body, idempotencyKeyOf(body));
  return auth.cors(json(result.body, { status: result.status, headers: { ...NO_STORE, ...result.headers } }));
}
