// GET /demo/admin[?path=/app/…] — demo mode only: signs the visitor in to the demo shop's embedded
// admin as Shopify's admin would (a fresh session token in the URL) and lands on the page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoEnabled, embeddedAdminPath, notFound } from "~/demo/demo.server";

export function loader({ request }: LoaderFunctionArgs) {
  if (!demoEnabled()) return notFound();
  const path = new URL(request.url).searchParams.get("path");
  return new Response(null, {
    status: 302,
    headers: { Location: embeddedAdminPath(path ?? "/app"), "Cache-Control": "no-store" },
  });
}

export const action = () => notFound();
