// Production server: Express around the Remix build, plus the webhook processor.
// `npm start` runs this with PORT and DATABASE_URL from the environment.
//
// WEB_CONCURRENCY workers (default: one per core) answer HTTP; verifying a webhook is CPU-bound
// (Remix, the Shopify library's HMAC check), so more than one process is what lets a small box
// keep up with bursts. The primary is the one writer of the webhook inbox and works it (ADR 0002).
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
// Settings from .env when present (the environment wins); the Shopify CLI passes its own.
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
const buildDir = path.resolve(root, process.env.REGULARS_BUILD_DIR || "build");
const build = await import(pathToFileURL(path.join(buildDir, "index.js")).href);
const port = Number(process.env.PORT || 3000);
const workers = Math.max(1, Number(process.env.WEB_CONCURRENCY || os.availableParallelism()));

function logLine(event, fields = {}) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "info", event, ...fields })}\n`);
}

if (cluster.isPrimary) {
  const background = build.entry.module.startBackgroundWork();
  let stopping = false;
  const fork = () => {
    background.serveWorker(cluster.fork());
  };
  for (let i = 0; i < workers; i++) fork();
  let listening = 0;
  cluster.on("listening", async () => {
    if (++listening < workers) return;
    logLine("server.listening", { url: `http://localhost:${port}`, workers });
    if (process.env.NODE_ENV === "development") {
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
  const { createRequestHandler } = await import("@remix-run/express");
  const app = express();
  app.disable("x-powered-by");
  app.use("/build", express.static(path.join(buildDir, "client/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));
  const webhookActions = webhookRouteActions(build);
  const server = http.createServer((req, res) => {
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

function callAction(action, req, res) {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
        method: "POST", headers, body: Buffer.concat(chunks),
      });
      const response = await action({ request, params: {}, context: {} });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
    } catch (error) {
      if (error instanceof Response) {
        res.writeHead(error.status);
        res.end();
        return;
      }
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "webhook.unhandled", error: String(error) })}\n`);
      res.writeHead(500);
      res.end();
    }
  });
}
