// Server render: stream the shell to browsers as soon as it is ready; give crawlers
// (isbot) the complete document. Shopify's document headers (CSP frame-ancestors for the
// embedded admin, and friends) are added to every HTML response.
import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { log } from "./log.server";
import { shopifyEmulatorReady } from "./shopify/emulator.server";
import { addDocumentResponseHeaders } from "./shopify.server";

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
// What server.mjs needs from the app besides Remix's handler: the configuration check it runs
// before serving, and the background work of the primary process. The Remix build exposes this
// module as `build.entry.module`, the only door from the plain-JS server into the app.
export { assertReadyToServe } from "./config.server";
export { startBackgroundWork } from "./background.server";
