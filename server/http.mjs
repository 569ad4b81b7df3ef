// Node's HTTP ⇄ the Fetch API the Remix build speaks, with the body cap (docs/decisions/0010):
// every route's Request is built here, its body counted while it arrives, and every Response is
// written back by one function, whether Remix or the webhook fast path produced it.
import { writeReadableStreamToWritable } from "@remix-run/node";
import { logLine } from "./log.mjs";

/** What a client may still send after its 413 before the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** A declared Content-Length past the cap: refused before a byte is read. */
export function declaresTooMuch(req, limit) {
  return Number(req.headers["content-length"]) > limit;
}

/**
 * A request as the Fetch API sees it. `body` is the whole body when the caller has it (the webhook
 * fast path); otherwise a non-GET request gets a stream counted against `limit` (see
 * `streamedBody`). `signal` aborts the request's work when the client goes away.
 */
export function toRequest(req, res, { limit, body, signal }) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const init = { method: req.method, headers, signal };
  if (body) init.body = body;
  else if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = streamedBody(req, res, limit);
    init.duplex = "half";
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, init);
}

/**
 * The body as a stream, counted whatever Content-Length says (or if it is absent): past `limit`
 * the client gets 413 at once, the route reading the body gets an error named BodyTooLarge
 * (never a truncated body), and the rest is drained, never buffered.
 */
function streamedBody(req, res, limit) {
  let seen = 0;
  let open = true;
  return new ReadableStream({
    start(controller) {
      const fail = (error) => {
        if (!open) return;
        open = false;
        controller.error(error);
      };
      req.on("data", (chunk) => {
        if (!open) return;
        seen += chunk.length;
        if (seen > limit) {
          refuseTooLarge(req, res, limit);
          fail(Object.assign(new Error(`body over ${limit} bytes`), { name: "BodyTooLarge" }));
        } else controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      });
      req.on("end", () => {
        if (open) controller.close();
        open = false;
      });
      req.on("error", fail);
    },
  });
}

/**
 * The whole body (for small bodies always read whole: cheaper than a stream), under the same cap;
 * null once the 413 has been sent, or if the client went away mid-body.
 */
export function bufferedBody(req, res, limit) {
  return new Promise((resolve) => {
    const chunks = [];
    let seen = 0;
    req.on("data", (chunk) => {
      seen += chunk.length;
      if (seen > limit) {
        refuseTooLarge(req, res, limit);
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(res.headersSent ? null : Buffer.concat(chunks)));
    req.on("error", () => resolve(null));
  });
}

/** The 413, sent at most once per request, whichever route the request was going to. */
export function refuseTooLarge(req, res, limit) {
  if (res.headersSent) return;
  logLine("http.body_too_large", { path: req.url?.slice(0, 200), limit });
  res.writeHead(413, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: `body over ${limit} bytes` }));
  // Read on and throw away what the client is still sending, so the 413 reaches it (closing now
  // would reset the connection under a client still writing, and it might never read the answer);
  // a client that keeps sending long after is cut off.
  req.removeAllListeners("data");
  let drained = 0;
  req.on("data", (chunk) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}

/**
 * Writes a Fetch Response to Node's response: status, headers (each Set-Cookie its own line),
 * body streamed. A request already answered (its 413) keeps that answer and this one is dropped.
 */
export async function sendResponse(res, response) {
  if (res.headersSent) return;
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("Set-Cookie", cookies);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/** What the server answers when building the request or running Remix itself failed. */
export function internalError(req, error) {
  logLine("http.unhandled", { path: req.url?.slice(0, 200), error: String(error) });
  return new Response("Internal Server Error", { status: 500 });
}

/** Remix's request handler as Express middleware: the request streamed in under the cap, the answer streamed out. */
export function serveWithRemix(handleRemix, limit) {
  return async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    let response;
    try {
      response = await handleRemix(toRequest(req, res, { limit, signal: controller.signal }));
    } catch (error) {
      response = internalError(req, error);
    }
    await sendResponse(res, response);
  };
}
