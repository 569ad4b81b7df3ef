// GET /preview/cart.js — the preview's cart, as Shopify's Ajax Cart API answers it (STOREFRONT_PREVIEW=1 only).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, previewCart, previewEnabled } from "~/storefront/preview.server";

export function loader({ request }: LoaderFunctionArgs) {
  if (!previewEnabled()) return notFound();
  return previewCart(request);
}

export const action = () => notFound();
