// What the admin's Status page shows: the webhook inbox, the daily reconciliation and the history
// import of one shop, each read straight from the tables that drive them.
import { backfillProgress, type BackfillProgress } from "../backfill/jobs.server";
import { db } from "../db.server";
import { recentRuns, type ReconciliationSummary } from "../reconciliation/reconcile.server";
import { deadEventCount } from "../webhooks/inbox.server";

export type ShopStatus = {
  /** Events recorded and not yet applied (including those waiting for a retry). */
  backlog: number;
  /** Age of the oldest of them, in seconds (null: nothing waiting). */
  lagSeconds: number | null;
  /** Of the backlog, events whose last attempt failed and that wait for their next one. */
  retrying: number;
  /** Events that failed every attempt and wait for the owner (Failed events page). */
  dead: number;
  lastReconciliation: ReconciliationSummary | null;
  backfill: Pick<
    BackfillProgress,
    "status" | "phase" | "linesDone" | "linesTotal" | "fraction" | "lastError" | "finishedAt"
  > | null;
  at: string;
};

export async function shopStatus(shop: string, now = new Date()): Promise<ShopStatus> {
  const waiting = { shop, processedAt: null, deadAt: null };
  const [backlog, oldest, retrying, dead, runs, backfill] = await Promise.all([
    db.webhookEvent.count({ where: waiting }),
    db.webhookEvent.findFirst({ where: waiting, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } }),
    db.webhookEvent.count({ where: { ...waiting, lastError: { not: null } } }),
    deadEventCount(shop),
    recentRuns(shop, 1),
    backfillProgress(shop, now),
  ]);
  return {
    backlog,
    lagSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.receivedAt.getTime()) / 1000)) : null,
    retrying,
    dead,
    lastReconciliation: runs[0] ?? null,
    backfill: backfill && {
      status: backfill.status,
      phase: backfill.phase,
      linesDone: backfill.linesDone,
      linesTotal: backfill.linesTotal,
      fraction: backfill.fraction,
      lastError: backfill.lastError,
      finishedAt: backfill.finishedAt,
    },
    at: now.toISOString(),
  };
}
