// The webhook fast path (server/webhook-fast-path.mjs) answers exactly as the Remix route does.
// Two built servers, each on its own fresh database: one as deployed (webhook POSTs go straight
// to their route's action), one with REGULARS_NO_WEBHOOK_FAST_PATH=1 (every request through
// Remix's request handler). Each case sends the same bytes to both and compares status, body and
// every response header but Date.
import { createHmac, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import http from "node:http";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../support/database";
import { startApp, TEST_SECRET, type RunningApp } from "../support/server";
import { orderPayload, SHOP } from "../support/shopify";

const LIMIT = 2 * 1024 * 1024;
type Server = { app: RunningApp; databaseUrl: string };
let fast: Server;
let remix: Server;

async function start(env: Record<string, string>): Promise<Server> {
  const databaseUrl = await freshDatabaseUrl();
  const app = await startApp(databaseUrl, { WEB_CONCURRENCY: "1", MAX_BODY_BYTES: String(LIMIT), ...env });
  return { app, databaseUrl };
}

beforeAll(async () => {
  [fast, remix] = await Promise.all([start({}), start({ REGULARS_NO_WEBHOOK_FAST_PATH: "1" })]);
});
afterAll(async () => {
  await Promise.all([fast?.app.stop(), remix?.app.stop()]);
});

/** One statement against a server's database (SQLite file or PostgreSQL), rows back. */
async function sql(databaseUrl: string, statement: string): Promise<Record<string, unknown>[]> {
  if (databaseUrl.startsWith("file:")) {
    const database = new Database(databaseUrl.slice("file:".length));
    try {
      const prepared = database.prepare(statement);
      return prepared.reader ? (prepared.all() as Record<string, unknown>[]) : (prepared.run(), []);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

type Sent = { method?: string; path: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean };
type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * Sends `sent` over a fresh connection, the body in 64 KiB writes (chunked, or with its
 * Content-Length), stopping once the server has answered; resolves with the whole answer.
 */
function exchange(baseUrl: string, sent: Sent): Promise<Answer> {
  const { port } = new URL(baseUrl);
  const body = sent.body ?? Buffer.alloc(0);
  const headers = {
    ...sent.headers,
    ...(sent.chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(body.length) }),
  };
  return new Promise((resolve, reject) => {
    // Keep-alive, as Shopify connects: after an early 413 the server reads on and discards the rest
    // (a closing connection would cut the upload short, and the client might never read the answer).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const req = http.request({ host: "127.0.0.1", port, path: sent.path, method: sent.method ?? "POST", headers, agent });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        agent.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    let offset = 0;
    const pump = () => {
      while (offset < body.length && !answered) {
        const ok = req.write(body.subarray(offset, offset + 65_536));
        offset += 65_536;
        if (!ok) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/** The answer as compared: everything but the Date header. */
function comparable(answer: Answer) {
  const { date: _date, ...headers } = answer.headers;
  return { status: answer.status, headers, body: answer.body };
}

/** The same request to both servers; their answers must be the same. Returns the fast path's. */
async function bothAnswer(sent: Sent): Promise<Answer> {
  const [viaFastPath, viaRemix] = await Promise.all([exchange(fast.app.url, sent), exchange(remix.app.url, sent)]);
  expect(comparable(viaFastPath)).toEqual(comparable(viaRemix));
  return viaFastPath;
}

const sign = (body: Buffer, secret = TEST_SECRET) => createHmac("sha256", secret).update(body).digest("base64");

/** A delivery as Shopify sends it; `headers` overrides or (null) removes any of Shopify's headers. */
function delivery(topic: string, body: Buffer, headers: Record<string, string | null> = {}): Sent {
  const eventId = randomUUID();
  const all: Record<string, string | null> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": sign(body),
    "X-Shopify-Shop-Domain": SHOP,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": eventId,
    "X-Shopify-Event-Id": eventId,
    "X-Shopify-Triggered-At": new Date().toISOString(),
    ...headers,
  };
  const kept = Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null));
  return { path: `/webhooks/${topic}`, headers: kept, body };
}

const order = () => Buffer.from(JSON.stringify(orderPayload()));
const jsonError = expect.stringMatching(/^\{"error":".+"\}$/);

describe("the two servers", () => {
  it("differ only in the fast path: on for every webhook route in one, off in the other", () => {
    const webhookRoutes = readdirSync("app/routes").filter((name) => name.startsWith("webhooks.")).length;
    expect(fast.app.logs()).toContain(`"webhookFastPath":${webhookRoutes}`);
    expect(remix.app.logs()).toContain(`"webhookFastPath":"off"`);
  });
});

describe("the fast path and the Remix route answer the same", () => {
  it("a valid signed delivery: 200, recorded by both", async () => {
    const sent = delivery("orders/paid", order());
    const answer = await bothAnswer(sent);
    expect(answer.status).toBe(200);
    const eventId = sent.headers!["X-Shopify-Event-Id"];
    for (const { databaseUrl } of [fast, remix]) {
      const rows = await sql(databaseUrl, `SELECT "topic" FROM "WebhookEvent" WHERE "eventId" = '${eventId}'`);
      expect(rows).toEqual([{ topic: "ORDERS_PAID" }]);
    }
    // A redelivery of the same event is acknowledged again, and stays one row.
    expect((await bothAnswer(sent)).status).toBe(200);
  });

  it("an unsigned delivery: 400 with the reason", async () => {
    const answer = await bothAnswer(delivery("orders/paid", order(), { "X-Shopify-Hmac-Sha256": null }));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(jsonError);
  });

  it("a wrong HMAC: 401", async () => {
    const body = order();
    const answer = await bothAnswer(delivery("orders/paid", body, { "X-Shopify-Hmac-Sha256": sign(body, "not-the-secret") }));
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toBe("application/json");
  });

  it("malformed JSON, correctly signed: 400", async () => {
    const answer = await bothAnswer(delivery("orders/paid", Buffer.from('{"id": 1, "line_items": [')));
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('{"error":"body is not valid JSON"}');
  });

  it("a signed body that is not UTF-8: 400", async () => {
    expect((await bothAnswer(delivery("orders/paid", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).status).toBe(400);
  });

  it.each([
    ["chunked", true],
    ["with its Content-Length", false],
  ])("a signed body past the cap, %s: 413", async (_name, chunked) => {
    const body = Buffer.from(JSON.stringify({ ...orderPayload(), note: "x".repeat(LIMIT) }));
    const answer = await bothAnswer({ ...delivery("orders/paid", body), chunked });
    expect(answer.status).toBe(413);
    expect(answer.body).toBe(`{"error":"body over ${LIMIT} bytes"}`);
  });

  it("a topic no route serves: 404 from Remix on both", async () => {
    const answer = await bothAnswer(delivery("orders/create", order()));
    expect(answer.status).toBe(404);
  });

  it("a topic sent to another topic's route: 400", async () => {
    const sent = delivery("orders/paid", order(), { "X-Shopify-Topic": "orders/cancelled" });
    expect((await bothAnswer(sent)).status).toBe(400);
  });

  it.each([
    "evil.example.com",
    "regulars-test.myshopify.com.evil.example.com",
    "../../etc/passwd",
    `${"a".repeat(300)}.myshopify.com`,
    "<script>alert(1)</script>.myshopify.com",
    "admin.shopify.com",
    "",
  ])("a hostile shop domain header %j: 400", async (shop) => {
    const answer = await bothAnswer(delivery("orders/paid", order(), { "X-Shopify-Shop-Domain": shop }));
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('{"error":"X-Shopify-Shop-Domain is not a shop domain (*.myshopify.com)"}');
  });

  it("what the fast path does not take goes to Remix: a GET, a query string", async () => {
    expect((await bothAnswer({ method: "GET", path: "/webhooks/orders/paid" })).status).toBe(405);
    const sent = delivery("orders/paid", order());
    expect((await bothAnswer({ ...sent, path: `${sent.path}?from=test` })).status).toBe(200);
  });

  // Last: it breaks both servers' inboxes.
  it("a delivery the inbox cannot record (its table is gone): the same 500", async () => {
    await Promise.all([fast, remix].map(({ databaseUrl }) => sql(databaseUrl, `DROP TABLE "WebhookEvent"`)));
    const answer = await bothAnswer(delivery("orders/paid", order()));
    expect(answer.status).toBe(500);
    // Both logged it at the webhook door (app/webhooks/receive.server.ts), which answers a failure
    // that is not an outage with a 500 of its own rather than throwing to Remix's error handler.
    for (const { app } of [fast, remix])
      expect(app.logs()).toMatch(/"event":"webhook.failed","path":"\/webhooks\/orders\/paid".*"status":500/);
  });
});
