// Production server: Express around the Remix build, plus the webhook processor.
// `npm start` runs this with PORT and DATABASE_URL from the environment.
//
// WEB_CONCURRENCY workers (default: one per core) answer HTTP; verifying a webhook is CPU-bound
// (Remix, the Shopify library's HMAC check), so more than one process is what lets a small box
// keep up with bursts. The primary is the one writer of the webhook inbox and works it (ADR 0014).
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
// Settings from .env when present (the environment wins); the Shopify CLI passes its own.
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
// The one variable read before the app's configuration module is loaded: where that module is.
const buildDir = path.resolve(root, process.env.REGULARS_BUILD_DIR || "build");
const build = await import(pathToFileURL(path.join(buildDir, "index.js")).href).catch(refuseToStart);
const settings = readyToServe(build.entry.module);
const port = settings.PORT;
const workers = settings.WEB_CONCURRENCY;
const maxBody = settings.MAX_BODY_BYTES;

function logLine(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "info", event, ...fields })}\n`);
}

if (cluster.isPrimary) {
  if (settings.usingDevCredentials) {
    logLine("config.dev_credentials", {
      level: "warn",
      message: "SHOPIFY_API_KEY/SHOPIFY_API_SECRET not set: using the public development credentials (refused under NODE_ENV=production)",
    });
  }
  const background = build.entry.module.startBackgroundWork();
  let stopping = false;
  const fork = () => {
    background.serveWorker(cluster.fork());
  };
  for (let i = 0; i < workers; i++) fork();
  let listening = 0;
  cluster.on("listening", async () => {
    if (++listening < workers) return;
    logLine("server.listening", { url: `http://localhost:${port}`, workers, node: process.version });
    if (settings.NODE_ENV === "development" && process.env.REMIX_DEV_ORIGIN) {
      // `remix dev` (npm run dev) waits for this before it reloads the browser.
      const { broadcastDevReady } = await import("@remix-run/node");
      await broadcastDevReady(build);
    }
  });
  cluster.on("exit", (worker, code) => {
    if (stopping) return;
    logLine("server.worker_exited", { pid: worker.process.pid, code });
    fork();
  });
  const shutdown = () => {
    stopping = true;
    background.stop();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 3000).unref();
    cluster.disconnect(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
} else {
  const { default: express } = await import("express");
  const { createRequestHandler, writeReadableStreamToWritable } = await import("@remix-run/node");
  const handleRemix = createRequestHandler(build, settings.NODE_ENV === "development" ? "development" : "production");
  const app = express();
  app.disable("x-powered-by");
  app.use("/build", express.static(path.join(buildDir, "client/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", (req, res) => serveRemix(handleRemix, writeReadableStreamToWritable, req, res));
  const webhookActions = webhookRouteActions(build);
  const server = http.createServer((req, res) => {
    if (Number(req.headers["content-length"]) > maxBody) return tooLarge(req, res);
    const action = req.method === "POST" && webhookActions.get(req.url);
    if (action) callAction(action, req, res);
    else app(req, res);
  });
  server.listen(port);
  server.keepAliveTimeout = 65_000;
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
  // The primary going away (a crash, say) takes its workers with it.
  process.on("disconnect", () => process.exit(0));
}

/**
 * Shopify's webhook POSTs go straight to their Remix route's action: the same route module, minus
 * the document-request machinery it never uses (routing, loaders, headers merging), which costs
 * as much CPU as the webhook's own work. Everything else goes through Remix as usual.
 */
function webhookRouteActions(build) {
  const actions = new Map();
  for (const route of Object.values(build.routes)) {
    if (route.path?.startsWith("webhooks/") && route.module.action) actions.set(`/${route.path}`, route.module.action);
  }
  return actions;
}

/**
 * The configuration, checked before anything serves: a production start without real Shopify
 * credentials stops here with the reason and exit code 78 (EX_CONFIG).
 */
function readyToServe(app) {
  try {
    return app.assertReadyToServe();
  } catch (error) {
    return refuseToStart(error);
  }
}

/** A configuration error (found while the build loads, or by the check) ends the start: exit 78. */
function refuseToStart(error) {
  if (error?.name !== "ConfigError") throw error;
  if (cluster.isPrimary) {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "config.refused", message: error.message })}\n`);
    process.stderr.write(`\n${error.message}\n\n`);
  }
  process.exit(78);
}

/**
 * A request as the Fetch API sees it, its body counted while it streams whatever Content-Length
 * says (or if it is absent): past MAX_BODY_BYTES the client gets 413 at once, the route reading
 * the body gets an error (never a truncated body), and the rest is drained, never buffered.
 */
function toRequest(req, res, signal, body) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const init = { method: req.method, headers, signal };
  if (body) init.body = body;
  else if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = requestBody(req, res);
    init.duplex = "half";
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, init);
}

/** A webhook's whole body (small, under the same cap), or null once the 413 has been sent. */
function bufferedBody(req, res) {
  return new Promise((resolve) => {
    const chunks = [];
    let seen = 0;
    req.on("data", (chunk) => {
      seen += chunk.length;
      if (seen > maxBody) {
        tooLarge(req, res);
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(res.headersSent ? null : Buffer.concat(chunks)));
    req.on("error", () => resolve(null));
  });
}

function requestBody(req, res) {
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
        if (seen > maxBody) {
          tooLarge(req, res);
          fail(Object.assign(new Error(`body over ${maxBody} bytes`), { name: "BodyTooLarge" }));
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

function tooLarge(req, res) {
  if (res.headersSent) return;
  logLine("http.body_too_large", { path: req.url?.slice(0, 200), limit: maxBody });
  res.writeHead(413, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ error: `body over ${maxBody} bytes` }));
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

const DRAIN_LIMIT = 64 * 1024 * 1024;

/** Remix for everything but webhooks; a response to a request already answered (413) is dropped. */
async function serveRemix(handleRemix, writeReadableStreamToWritable, req, res) {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  let response;
  try {
    response = await handleRemix(toRequest(req, res, controller.signal));
  } catch (error) {
    logLine("http.unhandled", { path: req.url?.slice(0, 200), error: String(error) });
    response = new Response("Internal Server Error", { status: 500 });
  }
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

async function callAction(action, req, res) {
  try {
    // Buffered here (webhooks are small and always read whole): cheaper than a body stream.
    const body = await bufferedBody(req, res);
    if (!body) return;
    const response = await action({ request: toRequest(req, res, undefined, body), params: {}, context: {} });
    if (res.headersSent) return;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
  } catch (error) {
    if (res.headersSent) return;
    if (error instanceof Response) {
      res.writeHead(error.status);
      res.end();
      return;
    }
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "webhook.unhandled", error: String(error) })}\n`);
    res.writeHead(500);
    res.end();
  }
}
