// OAuth and embedded-auth paths (/auth, /auth/callback, /auth/session-token, …):
// the library answers each one, redirecting or rendering as the flow needs.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  return null;
}
