// GET /preview/assets/<file> — the built widget assets, as the theme's asset_url would serve them.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, previewEnabled, widgetAsset } from "~/storefront/preview.server";

export function loader({ params }: LoaderFunctionArgs) {
  if (!previewEnabled()) return notFound();
  return widgetAsset(params.file ?? "");
}

export const action = () => notFound();
