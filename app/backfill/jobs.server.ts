// A shop's historical backfill as a resumable job (one BackfillJob row per shop):
//
//   pending ──start export──▶ running ──Shopify COMPLETED──▶ importing ──file done──▶ next phase
//   (orders, then customers: Shopify runs one bulk query per shop at a time) … ──▶ done
//
// Every step is safe to repeat and works from the row alone, so a restart anywhere resumes:
// a running export is polled again by its stored id, an import continues after `linesDone`
// (committed with each chunk). A lease (`lockedUntil`) keeps two processes off one job and
// doubles as the wait before the next poll or retry.
import { refreshOrderHistory } from "../analytics/order-history.server";
import { db, dialect } from "../db.server";
import { execute } from "../db/sql.server";
import { log } from "../log.server";
import { resyncShop } from "../loyalty/member-sync.server";
import { bulkOperation, BulkOperationError, startBulkExport, type AdminGraphql, type BulkExport } from "../shopify/bulk.server";
import { BackfillDataError, DownloadExpiredError, importBulkFile, type ImportProgress } from "./import.server";

export type BackfillStatus = "pending" | "running" | "importing" | "done" | "failed";
export const ACTIVE_STATUSES: BackfillStatus[] = ["pending", "running", "importing"];

/** Whether a job in this status is still importing (not done, not failed). */
export const isImporting = (status: string) => (ACTIVE_STATUSES as string[]).includes(status);

export type AdminSource = AdminGraphql | (() => Promise<AdminGraphql>);

export type BackfillOptions = {
  chunkLines?: number;
  /** Wait before asking Shopify again about a running export (default 5 s). */
  pollDelayMs?: number;
  /** First retry delay after a transient error, doubled each time (default 5 s). */
  backoffMs?: number;
  /** How long a process holds a job without committing before another may take it (default 2 min). */
  leaseMs?: number;
  onProgress?: (progress: ImportProgress & { phase: BulkExport }) => void;
};

const MAX_ATTEMPTS = 8;

/** After install: make sure a job exists; a failed one starts over. Cheap and idempotent. */
export async function requestBackfill(shop: string) {
  const job = await db.backfillJob.upsert({ where: { shop }, create: { shop, status: "pending" }, update: {} });
  if (job.status === "failed") await restartBackfill(shop);
}

/** The owner asks for the import again (after a failure, or to catch up after a reinstall). */
export async function restartBackfill(shop: string) {
  await db.backfillJob.upsert({
    where: { shop },
    create: { shop, status: "pending" },
    update: {
      status: "pending",
      phase: "orders",
      bulkOperationId: null,
      resultUrl: null,
      linesDone: 0,
      linesTotal: null,
      startedAt: new Date(),
      finishedAt: null,
      lastError: null,
      attempts: 0,
      lockedUntil: null,
      importStartedAt: null,
      importStartLines: 0,
    },
  });
}

/** Takes the job for this process for `leaseMs` unless another process holds it. */
async function claim(shop: string, leaseMs: number): Promise<boolean> {
  const now = new Date();
  const { count } = await db.backfillJob.updateMany({
    where: { shop, status: { in: ACTIVE_STATUSES }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { lockedUntil: new Date(now.getTime() + leaseMs) },
  });
  return count === 1;
}

type Job = NonNullable<Awaited<ReturnType<typeof db.backfillJob.findUnique>>>;

/**
 * Does the job's next step: start an export, poll it, or import its file (to the end).
 * Returns the job's status afterwards, "retrying" when the step hit a transient error (recorded,
 * retry scheduled), or null when another process holds the job or nothing is due.
 */
export async function advanceBackfill(
  shop: string,
  admin: AdminSource,
  options: BackfillOptions = {},
): Promise<BackfillStatus | "retrying" | null> {
  const leaseMs = options.leaseMs ?? 120_000;
  if (!(await claim(shop, leaseMs))) return null;
  const job = await db.backfillJob.findUniqueOrThrow({ where: { shop } });
  try {
    const client = typeof admin === "function" ? await admin() : admin;
    const waitMs = await step(job, client, options, leaseMs);
    await db.backfillJob.update({
      where: { shop },
      data: { lockedUntil: waitMs === null ? null : new Date(Date.now() + waitMs) },
    });
  } catch (error) {
    if (await recordFailure(job, error, options.backoffMs ?? 5000)) return "retrying";
  }
  return (await db.backfillJob.findUniqueOrThrow({ where: { shop }, select: { status: true } })).status as BackfillStatus;
}

/** Returns how long to wait before the next step (null: nothing more to do). */
async function step(job: Job, admin: AdminGraphql, options: BackfillOptions, leaseMs: number): Promise<number | null> {
  const phase = job.phase as BulkExport;
  const pollDelayMs = options.pollDelayMs ?? 5000;
  switch (job.status as BackfillStatus) {
    case "pending": {
      const operation = await startBulkExport(admin, phase);
      await db.backfillJob.update({
        where: { shop: job.shop },
        data: {
          status: "running",
          bulkOperationId: operation.id,
          resultUrl: null,
          linesDone: 0,
          linesTotal: null,
          lastError: null,
        },
      });
      log.info("backfill.export_started", { shop: job.shop, phase, bulkOperationId: operation.id });
      return pollDelayMs;
    }
    case "running": {
      const operation = await bulkOperation(admin, job.bulkOperationId!);
      if (operation.status === "CREATED" || operation.status === "RUNNING") {
        await db.backfillJob.update({ where: { shop: job.shop }, data: { linesTotal: operation.objectCount } });
        return pollDelayMs;
      }
      if (operation.status === "COMPLETED") {
        if (!operation.url) return finishPhase(job); // the shop has none of these yet
        const imported = await db.backfillJob.update({
          where: { shop: job.shop },
          data: { status: "importing", resultUrl: operation.url, linesTotal: operation.objectCount, linesDone: 0 },
        });
        log.info("backfill.export_completed", { shop: job.shop, phase, objectCount: operation.objectCount });
        return importStep(imported, options, leaseMs);
      }
      if (operation.status === "FAILED" && operation.errorCode === "ACCESS_DENIED") {
        throw new BulkOperationError(
          "Shopify denied access to the order history (the read_all_orders scope is needed)",
          "ACCESS_DENIED",
        );
      }
      // FAILED for another reason (TIMEOUT, INTERNAL_SERVER_ERROR), CANCELED or EXPIRED: export again.
      await db.backfillJob.update({ where: { shop: job.shop }, data: { status: "pending", bulkOperationId: null } });
      throw new Error(
        `Shopify's export ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}; exporting again`,
      );
    }
    case "importing":
      return importStep(job, options, leaseMs);
    default:
      return null;
  }
}

async function importStep(job: Job, options: BackfillOptions, leaseMs: number): Promise<number | null> {
  const phase = job.phase as BulkExport;
  await db.backfillJob.update({
    where: { shop: job.shop },
    data: { importStartedAt: new Date(), importStartLines: job.linesDone },
  });
  try {
    await importBulkFile({
      shop: job.shop,
      what: phase,
      url: job.resultUrl!,
      linesDone: job.linesDone,
      linesTotal: job.linesTotal,
      since: job.startedAt,
      chunkLines: options.chunkLines,
      onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, phase })),
      commit: async (tx, linesDone) => {
        const now = new Date();
        await execute(
          tx,
          `UPDATE "BackfillJob" SET "linesDone" = ?, "attempts" = 0, "lastError" = NULL, "lockedUntil" = ?, "updatedAt" = ? WHERE "shop" = ?`,
          [linesDone, new Date(now.getTime() + leaseMs), now, job.shop],
        );
      },
    });
  } catch (error) {
    if (!(error instanceof DownloadExpiredError)) throw error;
    // A new export has the same rows in an order of its own and maybe new ones, so skipping by
    // line count would be wrong: it is imported from its first line. Rows this job already wrote
    // are recognised by id (touched since the job started) and not rewritten, so this is cheap.
    log.warn("backfill.download_expired", { shop: job.shop, phase, error: error.message });
    await db.backfillJob.update({
      where: { shop: job.shop },
      data: { status: "pending", bulkOperationId: null, resultUrl: null, linesDone: 0, linesTotal: null },
    });
    return 0;
  }
  return finishPhase(job);
}

async function finishPhase(job: Job): Promise<number | null> {
  const reset = {
    bulkOperationId: null,
    resultUrl: null,
    linesDone: 0,
    linesTotal: null,
    importStartedAt: null,
    importStartLines: 0,
  };
  if (job.phase === "orders") {
    await db.backfillJob.update({ where: { shop: job.shop }, data: { ...reset, phase: "customers", status: "pending" } });
    log.info("backfill.phase_done", { shop: job.shop, phase: "orders" });
    return 0;
  }
  // The dashboard's per-customer order rows, rebuilt now for the whole import (ADR 0036), so the
  // first report after it does not pay for that; part of the import's time, not hidden from it.
  const building = Date.now();
  const customers = await refreshOrderHistory(db, dialect(), job.shop);
  log.info("backfill.order_history_built", { shop: job.shop, customers, ms: Date.now() - building });
  const done = await db.backfillJob.update({
    where: { shop: job.shop },
    data: { status: "done", finishedAt: new Date(), bulkOperationId: null, resultUrl: null, lastError: null },
  });
  log.info("backfill.done", {
    shop: job.shop,
    seconds: Math.round((done.finishedAt!.getTime() - job.startedAt.getTime()) / 1000),
  });
  await resyncShop(job.shop); // every imported member's metafields (ADR 0032)
  return null;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

/** Returns true when the job will be retried, false when it failed for good. */
async function recordFailure(job: Job, error: unknown, backoffMs: number): Promise<boolean> {
  const permanent = error instanceof BackfillDataError || error instanceof BulkOperationError;
  // Committed chunks reset the count: only failures in a row without progress add up.
  const { attempts: before } = await db.backfillJob.findUniqueOrThrow({ where: { shop: job.shop }, select: { attempts: true } });
  const attempts = before + 1;
  if (permanent || attempts >= MAX_ATTEMPTS) {
    log.error("backfill.failed", { shop: job.shop, phase: job.phase, error: describe(error) });
    await db.backfillJob.update({
      where: { shop: job.shop },
      data: { status: "failed", lastError: describe(error), lockedUntil: null, attempts, finishedAt: new Date() },
    });
    return false;
  }
  const delayMs = Math.min(15 * 60_000, backoffMs * 2 ** (attempts - 1));
  log.warn("backfill.retrying", { shop: job.shop, phase: job.phase, attempts, inMs: delayMs, error: describe(error) });
  await db.backfillJob.update({
    where: { shop: job.shop },
    data: { lastError: describe(error), attempts, lockedUntil: new Date(Date.now() + delayMs) },
  });
  return true;
}

/**
 * Steps the job until it is done or failed, or a step hit a transient error (then it returns with
 * the error recorded and the retry scheduled). For tests, the bench and one-off scripts.
 */
export async function runBackfill(shop: string, admin: AdminSource, options: BackfillOptions = {}) {
  for (;;) {
    const job = await db.backfillJob.findUniqueOrThrow({ where: { shop } });
    if (!isImporting(job.status)) return job;
    const wait = job.lockedUntil ? job.lockedUntil.getTime() - Date.now() : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if ((await advanceBackfill(shop, admin, options)) === "retrying")
      return db.backfillJob.findUniqueOrThrow({ where: { shop } });
  }
}

export type BackfillProgress = {
  status: BackfillStatus;
  phase: BulkExport;
  linesDone: number;
  linesTotal: number | null;
  /** 0..1 over both phases, orders weighted as the bulk of the work. */
  fraction: number;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  lastError: string | null;
  startedAt: string;
  finishedAt: string | null;
  credit: { status: string | null; orders: number; points: number; creditedAt: string | null };
};

/** What the admin page shows. Null when the shop has no job (installed before backfills existed). */
export async function backfillProgress(shop: string, now = new Date()): Promise<BackfillProgress | null> {
  const job = await db.backfillJob.findUnique({ where: { shop } });
  if (!job) return null;
  const status = job.status as BackfillStatus;
  const phase = job.phase as BulkExport;
  let ratePerSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (status === "importing" && job.importStartedAt) {
    const seconds = (now.getTime() - job.importStartedAt.getTime()) / 1000;
    if (seconds > 0 && job.linesDone > job.importStartLines) {
      ratePerSecond = (job.linesDone - job.importStartLines) / seconds;
      if (job.linesTotal !== null) etaSeconds = Math.max(0, job.linesTotal - job.linesDone) / ratePerSecond;
    }
  }
  const phaseFraction = status === "importing" && job.linesTotal ? Math.min(1, job.linesDone / job.linesTotal) : 0;
  const fraction = status === "done" ? 1 : phase === "orders" ? 0.9 * phaseFraction : 0.9 + 0.1 * phaseFraction;
  return {
    status,
    phase,
    linesDone: job.linesDone,
    linesTotal: job.linesTotal,
    fraction,
    ratePerSecond,
    etaSeconds,
    lastError: job.lastError,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    credit: {
      status: job.creditStatus,
      orders: job.creditedOrders,
      points: job.creditedPoints,
      creditedAt: job.creditedAt?.toISOString() ?? null,
    },
  };
}
