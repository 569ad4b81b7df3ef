// /preview/apps/rewards/* — the preview's app proxy: signs the request as Shopify would and
// forwards it to /proxy/*. (The preview page points the widget's data-proxy here.)
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { forwardToProxy, notFound, previewEnabled } from "~/storefront/preview.server";

export function loader({ request, params }: LoaderFunctionArgs) {
  if (!previewEnabled()) return notFound();
  return forwardToProxy(request, params["*"] ?? "");
}

export function action({ request, params }: ActionFunctionArgs) {
  if (!previewEnabled()) return notFound();
  return forwardToProxy(request, params["*"] ?? "");
}
