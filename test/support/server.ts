// Starts the real built server (node server.mjs) on a free port against the given database.
// One HTTP worker unless the test asks for more (`{ WEB_CONCURRENCY: "2" }`): it starts faster,
// weighs less on a small machine, and its log lines come in the order it wrote them.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { waitFor } from "./wait";

export const TEST_SECRET = "test-webhook-secret";
export const TEST_API_KEY = "test-api-key";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export type RunningApp = { url: string; logs: () => string; stop: () => Promise<void>; process: ChildProcess };

export async function startApp(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, ["server.mjs"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_SECRET,
      SHOPIFY_APP_URL: url,
      WEB_CONCURRENCY: "1",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let early = false;
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return (early = true);
      return fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      );
    },
    { timeoutMs: 30_000, what: "the server to answer /healthz" },
  ).catch((error) => {
    throw new Error(`server did not start (${error.message}):\n${output}`);
  });
  if (early) throw new Error(`server exited early:\n${output}`);
  return {
    url,
    process: child,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
