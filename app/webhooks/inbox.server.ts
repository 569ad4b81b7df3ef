// The webhook inbox. A delivery is acknowledged only once its row is committed; rows are then
// processed (and retried) apart from the HTTP request. Concurrent deliveries share one commit
// (group commit), which is what lets one SQLite writer keep up with Shopify's bursts (ADR 0002).
import cluster, { type Worker } from "node:cluster";
import { db, dialect } from "../db.server";
import { execute, query, valuesList } from "../db/sql.server";
import { config } from "../config.server";

export type InboxEvent = { shop: string; eventId: string; topic: string; payload: string };
export type ClaimedEvent = InboxEvent & { id: number; attempts: number };

const MAX_GROUP = 500;
let waiting: { event: InboxEvent; done: (error?: unknown) => void }[] = [];
let flushing = false;
const listeners = new Set<() => void>();

/** Resolves once the event is durably recorded (a redelivery of a recorded event id is a no-op). */
export function record(event: InboxEvent): Promise<void> {
  return cluster.isWorker ? recordThroughPrimary(event) : recordHere(event);
}

function recordHere(event: InboxEvent): Promise<void> {
  return new Promise((resolve, reject) => {
    waiting.push({ event, done: (error) => (error ? reject(error) : resolve()) });
    if (!flushing) setImmediate(flush);
  });
}

// In a cluster, HTTP workers hand events to the primary process, the database's one inbox writer:
// SQLite allows one writer at a time, and a single writer groups every worker's deliveries.
type RecordRequest = { kind: "inbox.record"; id: number; event: InboxEvent };
type RecordReply = { kind: "inbox.recorded"; id: number; error?: string };
const replies = new Map<number, (error?: string) => void>();
let nextRequest = 0;

function recordThroughPrimary(event: InboxEvent): Promise<void> {
  if (replies.size === 0) process.on("message", onReply);
  return new Promise((resolve, reject) => {
    const id = nextRequest++;
    replies.set(id, (error) => (error ? reject(new Error(error)) : resolve()));
    process.send!({ kind: "inbox.record", id, event } satisfies RecordRequest);
  });
}

function onReply(message: RecordReply) {
  if (message?.kind !== "inbox.recorded") return;
  replies.get(message.id)?.(message.error);
  replies.delete(message.id);
  if (replies.size === 0) process.off("message", onReply);
}

/** In the primary: record what this worker hands over, and tell it once it is committed. */
export function acceptRecordsFrom(worker: Worker) {
  worker.on("message", (message: RecordRequest) => {
    if (message?.kind !== "inbox.record") return;
    recordHere(message.event).then(
      () => worker.send({ kind: "inbox.recorded", id: message.id } satisfies RecordReply),
      (error: unknown) => worker.send({ kind: "inbox.recorded", id: message.id, error: String(error) } satisfies RecordReply),
    );
  });
}

/** Called after each commit, e.g. to wake the processor. */
export function onRecorded(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function flush() {
  if (flushing || waiting.length === 0) return;
  flushing = true;
  const group = waiting.slice(0, MAX_GROUP);
  waiting = waiting.slice(group.length);
  try {
    const now = new Date();
    await execute(
      db,
      `INSERT INTO "WebhookEvent" ("shop", "eventId", "topic", "payload", "receivedAt", "nextAttemptAt")
       VALUES ${valuesList(group.length, 6)}
       ON CONFLICT ("shop", "eventId") DO NOTHING`,
      group.flatMap(({ event }) => [event.shop, event.eventId, event.topic, event.payload, now, now]),
    );
    for (const item of group) item.done();
    for (const listener of listeners) listener();
  } catch (error) {
    for (const item of group) item.done(error);
  } finally {
    flushing = false;
    if (waiting.length) setImmediate(flush);
  }
}

function leaseMs() {
  return config().WEBHOOK_LEASE_SECONDS * 1000;
}

/**
 * Takes up to `limit` due events for this process. A lease (not a held transaction) marks them
 * taken: if the process dies, the lease runs out and any instance takes them again.
 */
export async function claim(limit: number): Promise<ClaimedEvent[]> {
  const now = new Date();
  const skipLocked = dialect() === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  const rows = await query<ClaimedEvent>(
    db,
    `UPDATE "WebhookEvent" SET "lockedUntil" = ?, "attempts" = "attempts" + 1
     WHERE "id" IN (
       SELECT "id" FROM "WebhookEvent"
       WHERE "processedAt" IS NULL AND "nextAttemptAt" <= ? AND ("lockedUntil" IS NULL OR "lockedUntil" < ?)
       ORDER BY "id" LIMIT ?${skipLocked})
     RETURNING "id", "shop", "eventId", "topic", "payload", "attempts"`,
    [new Date(now.getTime() + leaseMs()), now, now, limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts) })).sort((a, b) => a.id - b.id);
}

/** Marks events done; pass the transaction that did their work so both commit together. */
export async function markProcessed(tx: Parameters<typeof execute>[0], ids: number[]) {
  if (ids.length === 0) return;
  await execute(
    tx,
    `UPDATE "WebhookEvent" SET "processedAt" = ?, "lockedUntil" = NULL, "lastError" = NULL
     WHERE "id" IN (${ids.map(() => "?").join(", ")})`,
    [new Date(), ...ids],
  );
}

/** Retry later with exponential backoff (5 s, 10 s, 20 s … capped at one hour). */
export async function markFailed(event: ClaimedEvent, error: unknown) {
  const delayMs = Math.min(3600_000, 5000 * 2 ** Math.max(0, event.attempts - 1));
  await db.webhookEvent.update({
    where: { id: event.id },
    data: {
      lockedUntil: null,
      nextAttemptAt: new Date(Date.now() + delayMs),
      lastError: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 2000) : String(error).slice(0, 2000),
    },
  });
}
