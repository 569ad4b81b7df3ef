// POST /preview/cart/update.js and /preview/cart/add.js — the part of Shopify's Ajax Cart API the
// widget uses (a referral code into the cart attribute regulars_referral), for the preview only.
import type { ActionFunctionArgs } from "@remix-run/node";
import { changeCart, notFound, previewEnabled } from "~/storefront/preview.server";

export function action({ request, params }: ActionFunctionArgs) {
  if (!previewEnabled() || request.method !== "POST") return notFound();
  return changeCart(request, params["*"] ?? "");
}

export const loader = () => notFound();
