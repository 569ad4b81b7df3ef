// Streams a bulk-operation result file into the shop's tables in chunks, through the same
// idempotent upserts the webhook path uses. Each chunk commits together with the job's
// `linesDone`, so a restart continues after the last committed chunk and re-reads nothing twice.
// No points are awarded here: historical orders earn only if the owner credits them (credit.server).
import { markWholeShopStale } from "../analytics/order-history.server";
import { db, dialect, type Tx } from "../db.server";
import { execute, query } from "../db/sql.server";
import { birthdaysFromShopify, saveCustomers, upsertCustomers } from "../loyalty/membership.server";
import { refreshTiers, settleOrder, upsertOrders, upsertRefunds } from "../loyalty/orders.server";
import { loadProgram } from "../loyalty/program.server";
import type { BulkExport } from "../shopify/bulk.server";
import { BulkLineError, parseBulkLine, type BulkRecord } from "./bulk-lines";
import type { CustomerRecord, OrderRecord } from "../loyalty/records";
import { openDirectConnection, type RawExecutor } from "./direct.server";
import { bodyChunks, jsonlLines } from "./jsonl.server";

/** The file itself is wrong (not JSON, not our shape): retrying cannot help. */
export class BackfillDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackfillDataError";
  }
}

/** The download URL no longer answers (Shopify's links expire after seven days). */
export class DownloadExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DownloadExpiredError";
  }
}

export type ImportProgress = { linesDone: number; linesTotal: number | null; ratePerSecond: number; etaSeconds: number | null };

export type ImportOptions = {
  shop: string;
  what: BulkExport;
  url: string;
  /** Lines already committed: skipped without parsing. */
  linesDone: number;
  linesTotal: number | null;
  /** Rows touched after this instant carry newer state than the export (webhooks): left alone. */
  since: Date;
  chunkLines?: number;
  /** Called after each committed chunk. */
  onProgress?: (progress: ImportProgress) => void;
  /** Written in each chunk's transaction (the job's progress), so work and progress commit together. */
  commit: (tx: RawExecutor, linesDone: number) => Promise<void>;
};

export const DEFAULT_CHUNK_LINES = 1000;
const YIELD_EVERY_LINES = 20;

/** Imports from `linesDone` to the end of the file. Returns the number of lines in the file. */
export async function importBulkFile(options: ImportOptions): Promise<number> {
  const chunkLines = options.chunkLines ?? DEFAULT_CHUNK_LINES;
  const response = await fetch(options.url);
  if (!response.ok || !response.body) {
    void response.body?.cancel().catch(() => {});
    // A signed storage link past its date answers 400 (ExpiredToken) or 403; a removed file 404.
    if ([400, 401, 403, 404, 410].includes(response.status)) {
      throw new DownloadExpiredError(`result file answered HTTP ${response.status}`);
    }
    throw new Error(`result file download failed: HTTP ${response.status}`);
  }
  const program = await loadProgram(db as unknown as Tx, options.shop);
  // The direct connection carries the bulk of the work; tiers (recomputed per customer through
  // Prisma) and chunks touching orders that already earned go through Prisma, like a webhook.
  const direct = program.tiersEnabled ? null : await openDirectConnection();
  const started = performance.now();
  const startLines = options.linesDone;
  let line = 0;
  let committed = options.linesDone;
  let chunk: BulkRecord[] = [];
  const customers = new CustomerIds();

  const throughPrisma = (records: BulkRecord[], upTo: number) =>
    db.$transaction(
      async (tx) => {
        const written = await writeRecords(tx, options.shop, options.what, records, options.since, customers);
        for (const id of written.toSettle) await settleOrder(tx, options.shop, program, id);
        if (program.tiersEnabled)
          await refreshTiers(tx, options.shop, program, await customerIdsOf(tx, options.shop, records), "import");
        await options.commit(tx, upTo);
        return written;
      },
      { timeout: 120_000 },
    );

  const writeChunk = async (records: BulkRecord[], upTo: number) => {
    let written: Written | null = null;
    if (direct) {
      written = await direct
        .transaction(async (raw) => {
          // One shop-wide mark for the dashboard's rebuild instead of one per customer (ADR 0037).
          if (options.what === "orders") await markWholeShopStale(raw, dialect(), options.shop);
          const result = await writeRecords(raw, options.shop, options.what, records, options.since, customers);
          if (result.toSettle.length > 0) throw new NeedsLedger();
          await options.commit(raw, upTo);
          return result;
        })
        .catch((error: unknown) => {
          if (error instanceof NeedsLedger) return null;
          throw error;
        });
    }
    written ??= await throughPrisma(records, upTo);
    customers.remember(written.newCustomers); // only once committed: a rolled-back id means nothing
    committed = upTo;
    const seconds = (performance.now() - started) / 1000;
    const ratePerSecond = seconds > 0 ? (committed - startLines) / seconds : 0;
    const left = options.linesTotal === null ? null : Math.max(0, options.linesTotal - committed);
    options.onProgress?.({
      linesDone: committed,
      linesTotal: options.linesTotal,
      ratePerSecond,
      etaSeconds: left === null || ratePerSecond === 0 ? null : left / ratePerSecond,
    });
  };

  // One chunk is written while the next one is read and parsed, so the database and the parser
  // work at the same time (on PostgreSQL they are separate processes: the import ran half idle
  // waiting on the server). Chunks still commit one at a time and in order, and a chunk's writes
  // start only after the previous commit, so the customer ids it relies on are committed ones.
  let queued = options.linesDone;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async (upTo: number) => {
    if (upTo === queued) return;
    const records = chunk;
    chunk = [];
    queued = upTo;
    await inFlight;
    inFlight = writeChunk(records, upTo);
    inFlight.catch(() => {}); // awaited by the next flush or at the end; never an unhandled rejection
  };

  // While a chunk is being written, parsing the next one yields to I/O every few lines: a reply
  // from the database otherwise waited behind a whole network chunk of parsing (the body is
  // already buffered, so reading it never yields), and the server idled meanwhile.
  let sinceYield = 0;
  try {
    for await (const lines of jsonlLines(bodyChunks(response.body!))) {
      for (const text of lines) {
        line++;
        if (line <= options.linesDone) continue;
        if (++sinceYield >= YIELD_EVERY_LINES) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (text.trim() === "") continue;
        let record: BulkRecord;
        try {
          record = parseBulkLine(options.what, text);
        } catch (error) {
          if (error instanceof BulkLineError) throw new BackfillDataError(`${options.what} file, line ${line}: ${error.message}`);
          throw error;
        }
        // A chunk ends before a new top-level object, never between a parent and its children.
        if (record.kind !== "child" && chunk.length >= chunkLines) await flush(line - 1);
        chunk.push(record);
      }
    }
    await flush(line);
    await inFlight;
  } finally {
    await inFlight.catch(() => {}); // a failed read must not close the connection under a running chunk
    await direct?.close();
  }
  return line;
}

/** The chunk holds orders that earned points: it is written the webhook way, through Prisma. */
class NeedsLedger extends Error {}

/**
 * Customers this import already wrote, by Shopify id: their orders' later lines carry the same
 * profile (one export is one snapshot), so they are linked without upserting them again, which
 * was a third of the database's work. Bounded, so memory stays flat on any shop.
 */
class CustomerIds {
  private ids = new Map<string, number>();
  constructor(private readonly max = 200_000) {}
  get(shopifyId: string) {
    return this.ids.get(shopifyId);
  }
  remember(entries: Map<string, number>) {
    if (this.ids.size + entries.size > this.max) this.ids.clear();
    for (const [key, id] of entries) this.ids.set(key, id);
  }
}

type Written = { toSettle: number[]; newCustomers: Map<string, number> };

async function customerIdsOf(tx: RawExecutor, shop: string, records: BulkRecord[]): Promise<number[]> {
  const ids = [...new Set(records.flatMap((r) => (r.kind === "order" && r.order.customer ? [r.order.customer.shopifyId] : [])))];
  if (ids.length === 0) return [];
  const rows = await query<{ id: number }>(
    tx,
    `SELECT "id" FROM "Customer" WHERE "shop" = ? AND "shopifyId" IN (${ids.map(() => "?").join(", ")})`,
    [shop, ...ids],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Writes one chunk with the webhook path's upserts. Returns the ids of orders that already earned
 * points and now have refunds or a cancellation: their ledger must be settled the webhook way.
 */
async function writeRecords(
  tx: RawExecutor,
  shop: string,
  what: BulkExport,
  records: BulkRecord[],
  since: Date,
  known: CustomerIds,
): Promise<Written> {
  // The upserts only issue raw statements, so they run on a Prisma transaction or the direct one.
  const sqlTx = tx as Tx;
  if (what === "customers") {
    const customers = records.flatMap((r) => (r.kind === "customer" ? [r.customer] : []));
    await saveCustomers(sqlTx, shop, customers);
    await birthdaysFromShopify(sqlTx, shop, customers);
    return { toSettle: [], newCustomers: new Map() };
  }
  const byId = new Map<string, OrderRecord>();
  for (const r of records) if (r.kind === "order") byId.set(r.order.shopifyId, r.order);
  const orders = [...byId.values()];
  if (orders.length === 0) return { toSettle: [], newCustomers: new Map() };

  const unseen: CustomerRecord[] = [];
  for (const o of orders) if (o.customer && known.get(o.customer.shopifyId) === undefined) unseen.push(o.customer);
  const newCustomers = await upsertCustomers(sqlTx, shop, unseen);
  const customerIds = new Map(newCustomers);
  for (const o of orders) {
    const id = o.customer && known.get(o.customer.shopifyId);
    if (id !== undefined && id !== null) customerIds.set(o.customer!.shopifyId, id);
  }
  // An order a webhook (or an earlier pass of this import) changed after `since` is newer than the export.
  await upsertOrders(sqlTx, shop, orders, customerIds, { keepNewerThan: since });
  await upsertRefunds(
    sqlTx,
    shop,
    orders.flatMap((o) => o.refunds),
  );

  const refunded = orders.filter((o) => o.refunds.length > 0).map((o) => o.shopifyId);
  if (refunded.length > 0) {
    // New orders were inserted with their export's refunds; only an order whose refunds also came
    // another way (a webhook, an earlier import) differs, and only that row is written again.
    const refundedTotal = `COALESCE((SELECT SUM(r."subtotalCents") FROM "Refund" r
         WHERE r."shop" = "Order"."shop" AND r."orderShopifyId" = "Order"."shopifyId"), 0)`;
    await execute(
      tx,
      `UPDATE "Order" SET "refundedSubtotalCents" = ${refundedTotal}
       WHERE "shop" = ? AND "shopifyId" IN (${refunded.map(() => "?").join(", ")}) AND "refundedSubtotalCents" <> ${refundedTotal}`,
      [shop, ...refunded],
    );
  }
  // Orders that earned (through a webhook) and have refunds or a cancellation the export knows of.
  const settle = orders.filter((o) => o.refunds.length > 0 || o.cancelledAt).map((o) => o.shopifyId);
  if (settle.length === 0) return { toSettle: [], newCustomers };
  const earned = await query<{ id: number }>(
    tx,
    `SELECT DISTINCT o."id" FROM "Order" o JOIN "LedgerEntry" l ON l."orderId" = o."id"
     WHERE o."shop" = ? AND o."shopifyId" IN (${settle.map(() => "?").join(", ")})`,
    [shop, ...settle],
  );
  return { toSettle: earned.map((r) => Number(r.id)), newCustomers };
}
