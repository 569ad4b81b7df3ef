// A start whose port is taken ends, with a line that names the port, within seconds — alone or
// with HTTP workers — instead of a primary forking workers that fail to bind, forever (the bench
// once hung that way). A port freed while the server is still trying is taken.
import { spawn } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useFreshDatabase } from "../support/database";
import { TEST_API_KEY, TEST_SECRET } from "../support/server";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(async () => (await import("../../app/db.server")).db.$disconnect());

/** A port held by a listener of this test until `release()`. */
async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, resolve));
  const { port } = holder.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => holder.close(() => resolve())) };
}

function start(port: number, workers: number) {
  const child = spawn(process.execPath, ["server.mjs"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      WEB_CONCURRENCY: String(workers),
      SHOPIFY_API_KEY: TEST_API_KEY,
      SHOPIFY_API_SECRET: TEST_SECRET,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, exited, output: () => output };
}

describe("a start on a port that is taken", () => {
  it.each([1, 2])(
    "exits with code 69 naming the port (WEB_CONCURRENCY=%i)",
    async (workers) => {
      const { port, release } = await holdPort();
      try {
        const server = start(port, workers);
        expect(await server.exited).toBe(69);
        expect(server.output()).toMatch(new RegExp(`"event":"server.listen_failed".*"port":${port}.*"code":"EADDRINUSE"`));
        expect(server.output()).not.toContain("server.listening");
        // Each worker failed once: none was forked again.
        expect(server.output().match(/"event":"server.listen_failed"/g)?.length ?? 0).toBeLessThanOrEqual(workers);
      } finally {
        await release();
      }
    },
    40_000,
  );

  it("listens once the port is freed while it is still trying", async () => {
    const { port, release } = await holdPort();
    const server = start(port, 1);
    const seen = async (text: string) => {
      for (let i = 0; i < 600 && !server.output().includes(text) && server.child.exitCode === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // Released once the first attempt has failed (the server tries for about two seconds).
    await seen('"event":"server.port_busy"');
    await release();
    await seen('"event":"server.listening"');
    try {
      expect(server.output()).toMatch(new RegExp(`"event":"server.port_busy".*"port":${port}`));
      expect(server.output()).toContain(`"url":"http://localhost:${port}"`);
      expect(server.output()).not.toContain("server.listen_failed");
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 40_000);
});
