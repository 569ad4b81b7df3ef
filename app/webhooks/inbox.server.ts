// The webhook inbox. A delivery is acknowledged only once its row is committed; rows are then
// processed (and retried) apart from the HTTP request. Concurrent deliveries share one commit
// (group commit), which is what lets one SQLite writer keep up with Shopify's bursts (ADR 0002).
import cluster, { type Worker } from "node:cluster";
import type BetterSqlite3 from "better-sqlite3";
import { db, dialect, withIdleSqliteConnection } from "../db.server";
import { execute, query, valuesList } from "../db/sql.server";
import { DatabaseUnavailable, databaseUnavailable } from "../db/unavailable.server";
import { config } from "../config.server";
import { log } from "../log.server";

export type InboxEvent = {
  shop: string;
  eventId: string;
  topic: string;
  payload: string;
  /** The payload as the door parsed it with its topic's schema, so the processor need not parse it again. */
  parsed?: unknown;
};
/** A claimed event's body is null only if it was erased (shop redaction) before it could be processed. */
export type ClaimedEvent = Omit<InboxEvent, "payload"> & {
  payload: string | null;
  id: number;
  attempts: number;
  receivedAt: Date;
};

// Parse once (SQLite): the payload as the door parsed it, kept in this process (the one writer and
// processor) by inbox row id from the insert's commit until the processor claims the row. A row
// claimed again (a retry, after a restart) or recorded when the map was full is parsed from its
// stored body, as before. Bounded: a backlog beyond it costs a parse per event, not memory.
const parsedById = new Map<number, unknown>();
const MAX_PARSED = 20_000;

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
// SQLite allows one writer at a time, and a single writer groups every worker's deliveries. The
// events a worker has in one turn of its event loop go in one message, and the answers for one
// commit come back in one: a message per delivery each way cost both processes more than the
// insert itself. The channel uses V8's serialisation (server.mjs), about half the CPU of JSON's
// for a 3 KB body, each side, and it carries the parsed payload's Dates.
type RecordRequest = { kind: "inbox.record"; events: { id: number; event: InboxEvent }[] };
/** `unavailable` carries why the database could not take the event, so the worker can answer 503. */
type Outcome = { id: number; error?: string; unavailable?: string | null };
type RecordReply = { kind: "inbox.recorded"; outcomes: Outcome[] };
const replies = new Map<number, (error?: string, unavailable?: string | null) => void>();
let nextRequest = 0;
let outgoing: { id: number; event: InboxEvent }[] = [];

function recordThroughPrimary(event: InboxEvent): Promise<void> {
  // The primary gone (killed; this worker exits as soon as it notices): nothing can be recorded.
  if (!process.connected) return Promise.reject(new DatabaseUnavailable("the inbox writer process is gone"));
  if (replies.size === 0) process.on("message", onReply);
  return new Promise((resolve, reject) => {
    const id = nextRequest++;
    replies.set(id, (error, unavailable) => {
      if (unavailable) reject(new DatabaseUnavailable(unavailable));
      else if (error) reject(new Error(error));
      else resolve();
    });
    if (outgoing.length === 0) setImmediate(sendToPrimary);
    outgoing.push({ id, event });
  });
}

function sendToPrimary() {
  const events = outgoing;
  outgoing = [];
  const lost = () => {
    for (const { id } of events) settle({ id, unavailable: "the inbox writer process is gone" });
  };
  if (!process.connected) return lost();
  process.send!({ kind: "inbox.record", events } satisfies RecordRequest, undefined, {}, (error) => {
    if (error) lost();
  });
}

function settle({ id, error, unavailable }: Outcome) {
  replies.get(id)?.(error, unavailable);
  replies.delete(id);
}

function onReply(message: RecordReply) {
  if (message?.kind !== "inbox.recorded") return;
  for (const outcome of message.outcomes) settle(outcome);
  if (replies.size === 0) process.off("message", onReply);
}

/** In the primary: record what this worker hands over, and tell it once they are committed. */
export function acceptRecordsFrom(worker: Worker) {
  let answers: Outcome[] = [];
  const answer = (outcome: Outcome) => {
    // Every event of a group settles in the same turn: their answers leave together.
    if (answers.length === 0) {
      setImmediate(() => {
        const outcomes = answers;
        answers = [];
        if (worker.isConnected()) worker.send({ kind: "inbox.recorded", outcomes } satisfies RecordReply);
      });
    }
    answers.push(outcome);
  };
  // Parsed payloads hold Dates, which only the structured-clone channel carries as Dates
  // (server.mjs forks its workers with it); over JSON they would arrive as text and are dropped.
  const keepsDates = cluster.settings.serialization === "advanced";
  worker.on("message", (message: RecordRequest) => {
    if (message?.kind !== "inbox.record") return;
    for (const { id, event } of message.events) {
      if (!keepsDates) delete event.parsed;
      recordHere(event).then(
        () => answer({ id }),
        (error: unknown) => answer({ id, error: String(error), unavailable: databaseUnavailable(error) }),
      );
    }
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
    const events = group.map((item) => item.event);
    if (dialect() === "sqlite") await withIdleSqliteConnection((connection) => insertOnSqlite(connection, events));
    else await insertWithPrisma(events);
    for (const item of group) item.done();
    for (const listener of listeners) listener();
  } catch (error) {
    for (const item of group) item.done(error);
  } finally {
    flushing = false;
    if (waiting.length) setImmediate(flush);
  }
}

const INSERT = `INSERT INTO "WebhookEvent" ("shop", "eventId", "topic", "payload", "receivedAt", "nextAttemptAt")`;

async function insertWithPrisma(events: InboxEvent[]) {
  const now = new Date();
  await execute(
    db,
    `${INSERT} VALUES ${valuesList(events.length, 6)} ON CONFLICT ("shop", "eventId") DO NOTHING`,
    events.flatMap((event) => [event.shop, event.eventId, event.topic, event.payload, now, now]),
  );
}

const sqliteInserts = new WeakMap<BetterSqlite3.Database, (events: InboxEvent[]) => void>();

/**
 * SQLite: straight on the driver, under Prisma (whose mapping of a 3 KB payload parameter cost
 * ~0.25 ms of CPU per row, more than the rest of the primary's part of a delivery), in its own
 * transaction on the idle connection: never inside a processor's transaction, whose rollback would
 * take acknowledged deliveries with it. Synced as every commit of the connection is (WAL,
 * NORMAL): a committed row survives the process dying; a power cut may lose the last commits,
 * which the daily reconciliation with Shopify brings back. An fsync per group (FULL) blocked the
 * primary 8–12 ms per commit here (ADR 0035).
 */
function insertOnSqlite(connection: BetterSqlite3.Database, events: InboxEvent[]) {
  let insert = sqliteInserts.get(connection);
  if (!insert) {
    const row = connection.prepare(`${INSERT} VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ("shop", "eventId") DO NOTHING`);
    const all = connection.transaction((group: InboxEvent[], now: string) => {
      const inserted: [number, unknown][] = [];
      for (const event of group) {
        const { changes, lastInsertRowid } = row.run(event.shop, event.eventId, event.topic, event.payload, now, now);
        // A redelivery inserts nothing: the row recorded first keeps its own body.
        if (changes === 1 && event.parsed !== undefined) inserted.push([Number(lastInsertRowid), event.parsed]);
      }
      return inserted;
    });
    // DateTime as Prisma's SQLite adapter stores it, so Prisma reads these rows back unchanged.
    insert = (group) => {
      const inserted = all.immediate(group, new Date().toISOString().replace("Z", "+00:00"));
      // Only once committed (`immediate` returned): a rolled-back row leaves nothing here.
      for (const [id, parsed] of inserted) if (parsedById.size < MAX_PARSED) parsedById.set(id, parsed);
    };
    sqliteInserts.set(connection, insert);
  }
  insert(events);
}

function leaseMs() {
  return config().WEBHOOK_LEASE_SECONDS * 1000;
}

/**
 * Takes up to `limit` due events for this process. A lease (not a held transaction) marks them
 * taken: if the process dies, the lease runs out and any instance takes them again — until the
 * event has used its attempts (see `buryCrashedEvents`).
 */
export async function claim(limit: number): Promise<ClaimedEvent[]> {
  const now = new Date();
  const skipLocked = dialect() === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  const sql = `UPDATE "WebhookEvent" SET "lockedUntil" = ?, "attempts" = "attempts" + 1, "lastAttemptAt" = ?
     WHERE "id" IN (
       SELECT "id" FROM "WebhookEvent"
       WHERE "processedAt" IS NULL AND "deadAt" IS NULL AND "nextAttemptAt" <= ?
         AND ("lockedUntil" IS NULL OR "lockedUntil" < ?) AND "attempts" < ?
       ORDER BY "id" LIMIT ?${skipLocked})
     RETURNING "id", "shop", "eventId", "topic", "payload", "attempts", "receivedAt"`;
  const params = [new Date(now.getTime() + leaseMs()), now, now, now, config().WEBHOOK_MAX_ATTEMPTS, limit];
  // SQLite: on the idle connection, as the inbox insert (Prisma's mapping of 200 payloads of 3 KB
  // each cost more than the statement); the rows come back as the driver gives them.
  const rows =
    dialect() === "sqlite"
      ? await withIdleSqliteConnection((connection) => claimOnSqlite(connection, sql, params))
      : await query<ClaimedEvent>(db, sql, params);
  return rows
    .map((r) => {
      const id = Number(r.id);
      const parsed = parsedById.get(id);
      parsedById.delete(id);
      // A body erased before processing (shop redaction) is gone; so is its parsed copy.
      const event: ClaimedEvent = { ...r, id, attempts: Number(r.attempts), receivedAt: asDate(r.receivedAt) };
      if (parsed !== undefined && r.payload !== null) event.parsed = parsed;
      return event;
    })
    .sort((a, b) => a.id - b.id);
}

const sqliteClaims = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();

function claimOnSqlite(connection: BetterSqlite3.Database, sql: string, params: unknown[]): ClaimedEvent[] {
  let statement = sqliteClaims.get(connection);
  if (!statement) sqliteClaims.set(connection, (statement = connection.prepare(sql)));
  // DateTime as Prisma stores it on SQLite.
  const bound = params.map((p) => (p instanceof Date ? p.toISOString().replace("Z", "+00:00") : p));
  return statement.all(bound) as ClaimedEvent[];
}

/** Raw queries may give a DateTime column back as a Date, epoch milliseconds or text, by dialect. */
function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint" || /^\d+$/.test(String(value))) return new Date(Number(value));
  return new Date(String(value));
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

/**
 * The wait before attempt n+1: base × 3^(n−1) — with the default base of 60 s, 1 min, 3 min,
 * 9 min … 12 h, so 8 attempts span about 18 hours, long enough to outlast an outage.
 */
export function retryDelayMs(attempts: number): number {
  return config().WEBHOOK_RETRY_BASE_SECONDS * 1000 * 3 ** Math.max(0, attempts - 1);
}

function describeError(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
}

/** Retry later with backoff; after the last attempt the event is dead and the log says so, loudly. */
export async function markFailed(event: ClaimedEvent, error: unknown) {
  const lastError = describeError(error);
  if (event.attempts >= config().WEBHOOK_MAX_ATTEMPTS) {
    await db.webhookEvent.update({ where: { id: event.id }, data: { lockedUntil: null, deadAt: new Date(), lastError } });
    logDead(event, lastError);
    return;
  }
  await db.webhookEvent.update({
    where: { id: event.id },
    data: { lockedUntil: null, nextAttemptAt: new Date(Date.now() + retryDelayMs(event.attempts)), lastError },
  });
}

function logDead(event: Pick<ClaimedEvent, "shop" | "topic" | "eventId" | "attempts">, lastError: string) {
  log.error("webhook.dead", {
    shop: event.shop,
    topic: event.topic,
    eventId: event.eventId,
    attempts: event.attempts,
    lastError,
    message:
      "DEAD LETTER: this event failed every attempt and will not be retried; see Admin → Failed events, fix the cause, then Retry",
  });
}

/**
 * Events whose every attempt ended without a verdict (the process died or hung mid-way, so
 * `markFailed` never ran) are dead too once their last lease runs out: nothing loops unseen.
 */
export async function buryCrashedEvents(now = new Date()): Promise<number> {
  const rows = await query<{ id: number; shop: string; topic: string; eventId: string; attempts: number }>(
    db,
    `UPDATE "WebhookEvent" SET "deadAt" = ?, "lockedUntil" = NULL,
       "lastError" = COALESCE("lastError", 'the processor stopped during every attempt (crash or timeout)')
     WHERE "processedAt" IS NULL AND "deadAt" IS NULL AND "attempts" >= ?
       AND ("lockedUntil" IS NULL OR "lockedUntil" < ?)
     RETURNING "id", "shop", "topic", "eventId", "attempts"`,
    [now, config().WEBHOOK_MAX_ATTEMPTS, now],
  );
  for (const row of rows) logDead({ ...row, attempts: Number(row.attempts) }, "the processor stopped during every attempt");
  return rows.length;
}

export type DeadEvent = {
  id: number;
  topic: string;
  eventId: string;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  lastAttemptAt: Date | null;
  deadAt: Date;
};

const deadWhere = (shop: string) => ({ shop, deadAt: { not: null }, processedAt: null });

/** How many of the shop's events are dead (the dashboard's warning). */
export function deadEventCount(shop: string): Promise<number> {
  return db.webhookEvent.count({ where: deadWhere(shop) });
}

/** A shop's dead events, newest first, and how many there are in all. */
export async function deadEvents(shop: string, limit = 50): Promise<{ count: number; events: DeadEvent[] }> {
  const where = deadWhere(shop);
  const [count, rows] = await Promise.all([
    deadEventCount(shop),
    db.webhookEvent.findMany({
      where,
      orderBy: { deadAt: "desc" },
      take: limit,
      select: {
        id: true,
        topic: true,
        eventId: true,
        attempts: true,
        lastError: true,
        receivedAt: true,
        lastAttemptAt: true,
        deadAt: true,
      },
    }),
  ]);
  return { count, events: rows.map((r) => ({ ...r, deadAt: r.deadAt! })) };
}

/** The operator's "Retry": a dead event gets a fresh set of attempts, starting now. */
export async function replayDeadEvent(shop: string, id: number): Promise<boolean> {
  const { count } = await db.webhookEvent.updateMany({
    where: { id, shop, deadAt: { not: null }, processedAt: null },
    data: { deadAt: null, attempts: 0, nextAttemptAt: new Date(), lockedUntil: null },
  });
  if (count) log.info("webhook.replayed", { shop, id });
  return count === 1;
}

/**
 * Retention: a processed event's body is needed only until it is processed; it is kept a few
 * days for troubleshooting, then dropped (the row keeps its id and topic, so a late redelivery is
 * still recognised), and the row itself goes once no redelivery can come.
 */
export async function pruneInbox(now = new Date()): Promise<{ bodiesDropped: number; rowsDeleted: number }> {
  const day = 86_400_000;
  const { WEBHOOK_PAYLOAD_RETENTION_DAYS, WEBHOOK_EVENT_RETENTION_DAYS } = config();
  const bodiesBefore = new Date(now.getTime() - WEBHOOK_PAYLOAD_RETENTION_DAYS * day);
  const rowsBefore = new Date(now.getTime() - WEBHOOK_EVENT_RETENTION_DAYS * day);
  let bodiesDropped = 0;
  let rowsDeleted = 0;
  // In slices, so the one SQLite writer is never held for long.
  for (;;) {
    const n = await execute(
      db,
      `UPDATE "WebhookEvent" SET "payload" = NULL WHERE "id" IN (
         SELECT "id" FROM "WebhookEvent" WHERE "processedAt" < ? AND "payload" IS NOT NULL LIMIT ${PRUNE_SLICE})`,
      [bodiesBefore],
    );
    bodiesDropped += n;
    if (n < PRUNE_SLICE) break;
  }
  for (;;) {
    const n = await execute(
      db,
      `DELETE FROM "WebhookEvent" WHERE "id" IN (
         SELECT "id" FROM "WebhookEvent" WHERE "processedAt" < ? LIMIT ${PRUNE_SLICE})`,
      [rowsBefore],
    );
    rowsDeleted += n;
    if (n < PRUNE_SLICE) break;
  }
  if (bodiesDropped || rowsDeleted) log.info("webhook.inbox_pruned", { bodiesDropped, rowsDeleted });
  return { bodiesDropped, rowsDeleted };
}

const PRUNE_SLICE = 5000;
