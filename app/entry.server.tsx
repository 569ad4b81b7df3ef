// Server render: stream the shell to browsers as soon as it is ready; give crawlers
// (isbot) the complete document. Shopify's document headers (CSP frame-ancestors for the
// embedded admin, and friends) are added to every HTML response. Errors Remix catches are
// logged by `handleError` below, one JSON line each.
import { PassThrough } from "node:stream";
import type { EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { demoEnabled } from "./demo/demo.server";
import { log } from "./log.server";
import { shopifyEmulatorReady } from "./shopify/emulator.server";
import { onShopInstalled } from "./shops/lifecycle.server";
import { addDocumentResponseHeaders, onAfterAuth } from "./shopify.server";

// After the admin's token exchange (an install, a reinstall): record the shop, its program and
// its history import. Registered here so the Shopify client imports nothing of the domain.
onAfterAuth(onShopInstalled);

// Emulator mode (off unless SHOPIFY_EMULATOR=1) starts with the server process, so the first
// request finds it running; here rather than in the module, so importing that reads no settings.
void shopifyEmulatorReady();

/** How long deferred data may keep the stream open before React gives up on it. */
const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // Demo mode runs without Shopify's admin, so without App Bridge: no preload of its CDN script.
  if (demoEnabled()) responseHeaders.delete("Link");
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  const readyEvent = waitForAll ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell is ready reject above and are logged by Remix.
          if (shellRendered) log.error("render.stream_error", { url: request.url, error: String(error) });
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * What Remix does with an error it caught, instead of its default `console.error` (a multi-line
 * stack per request). A URL that no route matches is an ordinary 404 — browsers' icon probes,
 * crawlers, typos — and the 404 page says all there is to say: nothing is logged. Neither is a
 * request whose client went away (its aborted loaders throw). Remix's other refusals (405 for a
 * POST to a page without an action, 400 for a malformed data request) are one short warning; any
 * other error is one error line with its stack. Only the path is logged: admin URLs carry session
 * tokens in their query strings.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  // A body cut at the size cap: the server already answered 413 and logged it (http.body_too_large).
  if (error instanceof Error && error.name === "BodyTooLarge") return;
  const where = { method: request.method, path: new URL(request.url).pathname };
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) return;
    if (error.status < 500) {
      // `error.error` is Remix's own explanation (internal, not part of the public type).
      const reason = (error as { error?: unknown }).error;
      log.warn("request.refused", {
        ...where,
        status: error.status,
        error: reason instanceof Error ? reason.message : error.statusText,
      });
      return;
    }
  }
  log.error("request.error", {
    ...where,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
};

// The door from the plain-JS server (server.mjs, server/) into the app. The Remix build exposes
// this module as `build.entry.module`; the server reads exactly these exports of it, and nothing
// of the app by any other way but Remix's request handler and route manifest:
// - `assertReadyToServe` (app/config.server.ts): server.mjs calls it in every process before it
//   serves; it returns the parsed configuration (PORT, WEB_CONCURRENCY, MAX_BODY_BYTES, …) or throws
//   a ConfigError, which ends the start with exit code 78.
// - `startBackgroundWork` (app/background.server.ts): server.mjs calls it once, in the primary
//   process; its comment there says what it may do.
// - `handleError` (above): Remix calls it for errors it catches, and the webhook fast path
//   (server/webhook-fast-path.mjs) calls it for errors a webhook action throws, the way Remix
//   would, so an error logs the same line whichever path the request took.
// The server is plain JavaScript loading the build at run time: nothing type-checks these names
// there. Renaming one stops the server from starting (for handleError, with a message saying so).
export { assertReadyToServe } from "./config.server";
export { startBackgroundWork } from "./background.server";
