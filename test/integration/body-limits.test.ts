// Bodies are capped while they stream: a signed body past the cap is refused with 413 and nothing
// is recorded, whether or not it declared its length, and an unsigned 200 MB body costs the
// server no more memory than the cap.
import http from "node:http";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../app/db.server";
import { useFreshDatabase } from "../support/database";
import { startApp, TEST_SECRET, type RunningApp } from "../support/server";
import { proxyUrl } from "../support/proxy";
import { newId, orderPayload, SHOP } from "../support/shopify";

let app: RunningApp;
beforeAll(async () => {
  const url = await useFreshDatabase();
  app = await startApp(url, { WEB_CONCURRENCY: "1" });
});
afterAll(async () => {
  await app?.stop();
  await db.$disconnect();
});

/** An orders/paid body padded to `bytes` with a field Shopify might send (a long note). */
function paddedOrder(bytes: number): Buffer {
  const order = { ...orderPayload(), note: "" };
  const base = Buffer.byteLength(JSON.stringify(order));
  order.note = "x".repeat(Math.max(0, bytes - base));
  return Buffer.from(JSON.stringify(order));
}

type Sent = { status: number | null; error?: string };

/**
 * POSTs `total` bytes in 64 KiB chunks with Transfer-Encoding: chunked (no Content-Length), taking
 * each next chunk from `chunkAt`; resolves with the status the server answered, if any.
 */
function postChunked(
  path: string,
  headers: Record<string, string>,
  total: number,
  chunkAt: (offset: number, size: number) => Buffer,
): Promise<Sent> {
  return new Promise((resolve) => {
    const { port } = new URL(app.url);
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers });
    let status: number | null = null;
    let sent = 0;
    req.on("response", (res) => {
      status = res.statusCode ?? null;
      res.resume();
      res.on("end", () => resolve({ status }));
    });
    req.on("error", (error) => resolve({ status, error: error.message }));
    const pump = () => {
      while (sent < total && status === null) {
        const size = Math.min(65_536, total - sent);
        const ok = req.write(chunkAt(sent, size));
        sent += size;
        if (!ok) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

function signedHeaders(body: Buffer, eventId: string) {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": "orders/paid",
    "X-Shopify-Hmac-Sha256": createHmac("sha256", TEST_SECRET).update(body).digest("base64"),
    "X-Shopify-Shop-Domain": SHOP,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": eventId,
    "X-Shopify-Event-Id": eventId,
  };
}

/** Resident memory of the server: the primary and its HTTP worker, in bytes. */
function serverRss(): number {
  const primary = app.process.pid!;
  const pids = [primary];
  for (const line of readFileSync(`/proc/${primary}/task/${primary}/children`, "utf8").trim().split(/\s+/)) {
    if (line) pids.push(Number(line));
  }
  return pids.reduce((sum, pid) => {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return sum + (match ? Number(match[1]) * 1024 : 0);
  }, 0);
}

describe("a body past the cap (2 MiB)", () => {
  it.each([3, 10])("a signed, chunked %i MB orders/paid is refused with 413 and nothing is recorded", async (mb) => {
    const body = paddedOrder(mb * 1024 * 1024);
    const eventId = randomUUID();
    const result = await postChunked("/webhooks/orders/paid", signedHeaders(body, eventId), body.length, (at, size) =>
      body.subarray(at, at + size),
    );
    expect(result.status).toBe(413);
    expect(await db.webhookEvent.count({ where: { eventId } })).toBe(0);
    expect(await db.ledgerEntry.count()).toBe(0);
  });

  it("the same refusal reaches every route that reads a body: a signed app-proxy redeem", async () => {
    const customer = newId();
    const url = new URL(proxyUrl(app.url, "api/redeem", { customer }));
    const result = await postChunked(
      `${url.pathname}${url.search}`,
      { "Content-Type": "application/json" },
      3 * 1024 * 1024,
      (_at, size) => Buffer.alloc(size, 0x20),
    );
    expect(result.status).toBe(413);
    expect(await db.redemption.count()).toBe(0);
  });

  it("a declared Content-Length past the cap is refused before a byte is read", async () => {
    const response = await fetch(`${app.url}/webhooks/orders/paid`, {
      method: "POST",
      headers: { "Content-Length": String(5 * 1024 * 1024) },
      body: new Uint8Array(5 * 1024 * 1024),
    }).catch(() => null);
    expect(response?.status).toBe(413);
  });

  it("an unsigned 200 MB chunked body gets 401 or 413 and grows the server by less than 20 MB", async () => {
    // Warm the worker up so the measurement is of this request, not of first-use allocations.
    await fetch(`${app.url}/healthz`);
    const before = serverRss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, serverRss())), 20);
    const chunk = Buffer.alloc(65_536, 0x7b);
    const result = await postChunked(
      "/webhooks/orders/paid",
      {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Hmac-Sha256": "bm90IGEgc2lnbmF0dXJl",
      },
      200 * 1024 * 1024,
      (_at, size) => chunk.subarray(0, size),
    );
    clearInterval(sampler);
    peak = Math.max(peak, serverRss());
    const grewMb = (peak - before) / 1024 / 1024;
    console.log(
      `unsigned 200 MB body: status ${result.status}, server RSS ${(before / 1048576).toFixed(1)} → peak ${(peak / 1048576).toFixed(1)} MB (+${grewMb.toFixed(1)} MB)`,
    );
    expect([401, 413]).toContain(result.status);
    expect(grewMb).toBeLessThan(20);
    // And the server still serves.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
