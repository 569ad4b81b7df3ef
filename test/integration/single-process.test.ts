// WEB_CONCURRENCY=1: one process, no cluster. The primary answers HTTP itself (no worker forked),
// still runs the background work (a delivery is processed into the ledger), and SIGTERM stops
// it cleanly: the HTTP server closes, keep-alive connections included, and the exit code is 0.
import { readFileSync } from "node:fs";
import { once } from "node:events";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { inboxDrained, pointsOf } from "../support/ledger";
import { startApp, type RunningApp } from "../support/server";
import { deliverWebhook, newId, orderPayload } from "../support/shopify";

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase();
});
afterAll(async () => {
  await db.$disconnect();
});

/** The server's `server.listening` lines, parsed, once there is at least one. */
async function listeningLines(app: RunningApp): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = app
      .logs()
      .split("\n")
      .filter((line) => line.includes('"event":"server.listening"'));
    if (lines.length) return lines.map((line) => JSON.parse(line));
    if (Date.now() > deadline) throw new Error(`no server.listening line:\n${app.logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The process ids the server's process has forked (Linux: /proc). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

describe("with WEB_CONCURRENCY=1", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(databaseUrl, { WEB_CONCURRENCY: "1" });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("the one process answers HTTP itself: no worker forked", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const lines = await listeningLines(app);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      workers: 1,
      processes: 1,
      pid: app.process.pid,
      url: `http://localhost:${new URL(app.url).port}`,
    });
    expect(childrenOf(app.process.pid!)).toEqual([]);
  });

  it("still runs the background work: a delivery is recorded and processed into points", async () => {
    const customerId = newId();
    const delivery = await deliverWebhook(app.url, "orders/paid", orderPayload({ customerId, subtotal: "42.00" }));
    expect(delivery.status).toBe(200);
    await inboxDrained();
    expect(await pointsOf(customerId)).toBe(42);
  });

  it("stops cleanly on SIGTERM, with a keep-alive connection open", async () => {
    // A connection left open and idle, as Shopify's and browsers' are.
    const agent = new http.Agent({ keepAlive: true });
    const idle = once(agent, "free");
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${app.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode!));
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
    await idle;
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
    await app.stop();
    agent.destroy();
    expect({ code: app.process.exitCode, signal: app.process.signalCode }).toEqual({ code: 0, signal: null });
    expect(app.logs()).toContain('"event":"server.stopping","signal":"SIGTERM"');
    // Stopped because the server closed, not because the 3 s fallback fired.
    expect(app.logs()).toContain('"event":"server.stopped"');
    expect(app.logs()).not.toContain("server.stop_forced");
  });
});

describe("with WEB_CONCURRENCY=2 (the same checks see a cluster)", () => {
  it("the primary forks two workers, and stops them and itself on SIGTERM", async () => {
    const app = await startApp(databaseUrl, { WEB_CONCURRENCY: "2" });
    try {
      const [line] = await listeningLines(app);
      expect(line).toMatchObject({ workers: 2, processes: 3, pid: app.process.pid });
      expect(childrenOf(app.process.pid!)).toHaveLength(2);
    } finally {
      await app.stop();
    }
    expect(app.process.exitCode).toBe(0);
    expect(app.logs()).toContain('"event":"server.stopped"');
  });
});
