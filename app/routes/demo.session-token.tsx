// GET /demo/session-token — demo mode only: a fresh session token for the demo shop, what App
// Bridge's `idToken()` returns in the admin; the demo's stand-in for App Bridge adds it to fetches.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { DEMO_TOKEN_SECONDS, demoEnabled, mintSessionToken, notFound } from "~/demo/demo.server";

export function loader(_args: LoaderFunctionArgs) {
  if (!demoEnabled()) return notFound();
  return Response.json(
    { token: mintSessionToken(), expiresInSeconds: DEMO_TOKEN_SECONDS },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export const action = () => notFound();
