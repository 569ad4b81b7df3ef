// The webhook fast path: Shopify's webhook POSTs go straight to their Remix route's `action`,
// skipping Remix's request handler (route matching, the document/data/resource branching and
// their bookkeeping), which costs about as much CPU as the webhook's own work. Same route module,
// same answer as through Remix, byte for byte but the Date header: test/integration/fast-path.test.ts
// sends each kind of delivery to a server with this path and to one without it
// (REGULARS_NO_WEBHOOK_FAST_PATH=1) and compares.
//
// What it takes from the Remix build (server.mjs passes the build in):
// - `build.routes`: Remix's route manifest. Every route whose path starts with `webhooks/` and
//   that has an `action` is taken, at its exact path: no query string, no trailing slash, same
//   case. Anything else, a GET to the same URL included, goes through Remix.
// - `build.entry.module.handleError` (app/entry.server.tsx): Remix calls it with an error a route
//   threw, and so does this path, with the same arguments, so both log it the same way.
import { json } from "@remix-run/node";
import { bufferedBody, internalError, sendResponse, toRequest } from "./http.mjs";

/**
 * The fast path for this build. `routeFor(req)` is the route a request goes to, or undefined (then
 * Remix serves it); `serve(route, req, res)` answers it. `limit` is MAX_BODY_BYTES; `mode` is
 * the mode Remix's handler was created with ("production" or "development").
 */
export function webhookFastPath(build, { limit, mode }) {
  const routes = new Map();
  for (const route of Object.values(build.routes)) {
    if (route.path?.startsWith("webhooks/") && route.module.action) routes.set(`/${route.path}`, route);
  }
  const handleError = build.entry.module.handleError;
  if (typeof handleError !== "function")
    throw new Error("app/entry.server.tsx must export handleError (the webhook fast path calls it)");

  async function serve(route, req, res) {
    // Read whole under the cap (webhooks are small and always read whole): cheaper than a stream.
    const body = await bufferedBody(req, res, limit);
    if (!body) return; // answered 413 already, or the client went away
    let request;
    try {
      request = toRequest(req, res, { limit, body });
    } catch (error) {
      return sendResponse(res, internalError(req, error));
    }
    await sendResponse(res, await callAction(route, request));
  }

  /**
   * The action's answer as Remix's request handler makes it for a resource route
   * (`handleResourceRequest` and `callRouteAction` in @remix-run/server-runtime 2.17):
   * a returned Response as it is, other data as JSON; a thrown Response as it is, marked
   * X-Remix-Catch; any other error to `handleError`, then a plain 500.
   */
  async function callAction(route, request) {
    const args = { request, params: {}, context: {} };
    try {
      const result = await route.module.action(args);
      if (result === undefined) {
        throw new Error(
          `You defined an action for route "${route.id}" but didn't return anything from your \`action\` function. Please return a value or \`null\`.`,
        );
      }
      return isResponse(result) ? result : json(result);
    } catch (error) {
      if (isResponse(error)) {
        const headers = new Headers(error.headers);
        headers.set("X-Remix-Catch", "yes");
        return new Response(error.body, {
          status: error.status,
          statusText: error.statusText,
          headers,
          duplex: error.body ? "half" : undefined,
        });
      }
      // (Remix's own ErrorResponses, e.g. its 405 for a route without an action, cannot happen
      // here: only routes with an action are taken.)
      handleError(error, args);
      const message = mode === "production" ? "Unexpected Server Error" : `Unexpected Server Error\n\n${String(error)}`;
      return new Response(message, { status: 500, headers: { "Content-Type": "text/plain" } });
    }
  }

  return {
    paths: [...routes.keys()],
    routeFor: (req) => (req.method === "POST" ? routes.get(req.url) : undefined),
    serve,
  };
}

/** Remix's own test for a Response (duck-typed, so a Response from another realm counts too). */
function isResponse(value) {
  return (
    value != null &&
    typeof value.status === "number" &&
    typeof value.statusText === "string" &&
    typeof value.headers === "object" &&
    typeof value.body !== "undefined"
  );
}
