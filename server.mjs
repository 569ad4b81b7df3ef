// Production server: our own HTTP server in front of the Remix build, plus the background work.
// `npm start` runs this with PORT and DATABASE_URL from the environment.
//
// Processes. With WEB_CONCURRENCY=N>1 the primary forks N HTTP workers and supervises them;
// verifying a webhook is CPU-bound (Remix, the Shopify library's HMAC check), so more than one
// process is what lets a small box keep up with bursts. With WEB_CONCURRENCY=1 there is one
// process: the primary answers HTTP itself. Either way the primary runs the background work
// (`startBackgroundWork`, app/background.server.ts), and is the one writer of the webhook inbox
// (ADR 0014): workers hand it their deliveries over IPC; alone, it records them directly.
//
// The rest is in server/: the Node ⇄ Fetch plumbing and the body cap (http.mjs), the webhook
// fast path (webhook-fast-path.mjs), the log line format (log.mjs). From the app it uses only the
// build: Remix's request handler and routes, and `build.entry.module` (app/entry.server.tsx).
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { declaresTooMuch, refuseTooLarge, serveWithRemix } from "./server/http.mjs";
import { logLine } from "./server/log.mjs";
import { webhookFastPath } from "./server/webhook-fast-path.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));
// Settings from .env when present (the environment wins); the Shopify CLI passes its own.
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
// The one variable read before the app's configuration module is loaded: where that module is.
const buildDir = path.resolve(root, process.env.REGULARS_BUILD_DIR || "build");
const build = await import(pathToFileURL(path.join(buildDir, "index.js")).href).catch(refuseToStart);
const settings = readyToServe(build.entry.module);
const maxBody = settings.MAX_BODY_BYTES;
const remixMode = settings.NODE_ENV === "development" ? "development" : "production";
// Off only by configuration, never by anything in a request (tests comparing the two paths).
const fastPath = settings.REGULARS_NO_WEBHOOK_FAST_PATH ? null : webhookFastPath(build, { limit: maxBody, mode: remixMode });

/** Exit code of a start that could not bind its port (EX_UNAVAILABLE): the primary does not fork it again. */
const EXIT_CANNOT_LISTEN = 69;
/** How often, half a second apart, a port that is taken is tried (a server just stopped may still hold it). */
const LISTEN_ATTEMPTS = 5;

if (cluster.isPrimary) {
  if (settings.usingDevCredentials) {
    logLine("config.dev_credentials", {
      level: "warn",
      message:
        "SHOPIFY_API_KEY/SHOPIFY_API_SECRET not set: using the public development credentials (refused under NODE_ENV=production)",
    });
  }
  const background = build.entry.module.startBackgroundWork();
  if (settings.WEB_CONCURRENCY === 1) await serveAlone(background);
  else superviseWorkers(background, settings.WEB_CONCURRENCY);
} else {
  const server = await startHttpServer();
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
  // The primary going away (a crash, say) takes its workers with it.
  process.on("disconnect", () => process.exit(0));
}

/** One process: the primary answers HTTP and runs the background work; SIGTERM stops both. */
async function serveAlone(background) {
  const server = await startHttpServer();
  onStopSignal(() => {
    background.stop();
    // close() ends idle keep-alive connections and lets requests in flight finish.
    server.close(stopped);
  });
  await announce(server.address().port, { workers: 1, processes: 1 });
}

/** The primary of a cluster: forks `workers` HTTP workers, replaces any that dies, stops them on SIGTERM. */
function superviseWorkers(background, workers) {
  let stopping = false;
  // V8's serialisation on the IPC channel: cheaper than JSON for the deliveries workers hand over,
  // and it keeps their parsed payloads' Dates (app/webhooks/inbox.server.ts).
  cluster.setupPrimary({ serialization: "advanced" });
  const fork = () => {
    background.serveWorker(cluster.fork());
  };
  for (let i = 0; i < workers; i++) fork();
  let listening = 0;
  cluster.on("listening", async (_worker, address) => {
    // Said again when a replaced worker is back.
    if (++listening >= workers) await announce(address.port, { workers, processes: workers + 1 });
  });
  cluster.on("exit", (worker, code) => {
    if (stopping) return;
    logLine("server.worker_exited", { pid: worker.process.pid, code });
    // A worker that cannot bind the port would fail the same way again: the whole start fails.
    if (code === EXIT_CANNOT_LISTEN) {
      stopping = true;
      background.stop();
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
      process.exit(EXIT_CANNOT_LISTEN);
    }
    fork();
  });
  onStopSignal(() => {
    stopping = true;
    background.stop();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    cluster.disconnect(stopped);
  });
}

/**
 * The HTTP server of whichever process answers requests: bodies past the cap refused, webhook
 * POSTs to the fast path, the rest to Express (static files, then Remix). Resolves once listening.
 */
async function startHttpServer() {
  const { default: express } = await import("express");
  const { createRequestHandler } = await import("@remix-run/node");
  const app = express();
  app.disable("x-powered-by");
  app.use("/build", express.static(path.join(buildDir, "client/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", serveWithRemix(createRequestHandler(build, remixMode), maxBody));
  const server = http.createServer((req, res) => {
    if (declaresTooMuch(req, maxBody)) return refuseTooLarge(req, res, maxBody);
    const route = fastPath?.routeFor(req);
    if (route) fastPath.serve(route, req, res);
    else app(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await listen(server, settings.PORT);
  return server;
}

/**
 * Binds `port` (0: any free port, the same for every worker). A port in use is tried again for
 * about two seconds; then, or at once for any other error, the start ends with a line that names
 * the port and the reason, and exit code 69 — never a process left waiting for a port.
 */
async function listen(server, port) {
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      if (error?.code === "EADDRINUSE" && port !== 0 && attempt < LISTEN_ATTEMPTS) {
        logLine("server.port_busy", { level: "warn", port, attempt, message: `port ${port} is in use; trying again` });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      const reason = error?.code === "EADDRINUSE" ? "another process is listening on it" : String(error?.message ?? error);
      logLine("server.listen_failed", {
        level: "error",
        port,
        code: error?.code,
        attempts: attempt,
        message: `cannot listen on port ${port}: ${reason}`,
      });
      process.exit(EXIT_CANNOT_LISTEN);
    }
  }
}

/** Once every HTTP process listens: the one line that says the server is up, and how it runs. */
async function announce(port, { workers, processes }) {
  logLine("server.listening", {
    url: `http://localhost:${port}`,
    workers,
    processes,
    pid: process.pid,
    node: process.version,
    webhookFastPath: fastPath ? fastPath.paths.length : "off",
  });
  if (settings.NODE_ENV === "development" && process.env.REMIX_DEV_ORIGIN) {
    // `remix dev` (npm run dev) waits for this before it reloads the browser.
    const { broadcastDevReady } = await import("@remix-run/node");
    await broadcastDevReady(build);
  }
}

/** SIGTERM (and Ctrl-C): stop once, log it, and exit within 3 s even if something hangs. */
function onStopSignal(stop) {
  let stopping = false;
  const handle = (signal) => {
    if (stopping) return;
    stopping = true;
    logLine("server.stopping", { signal });
    setTimeout(() => {
      logLine("server.stop_forced", { level: "warn", message: "still busy 3 s after the signal: exiting anyway" });
      process.exit(0);
    }, 3000).unref();
    stop();
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}

/** Every HTTP server process has closed: the end of a clean stop. */
function stopped() {
  logLine("server.stopped");
  process.exit(0);
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
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "config.refused", message: error.message })}\n`,
    );
    process.stderr.write(`\n${error.message}\n\n`);
  }
  process.exit(78);
}
