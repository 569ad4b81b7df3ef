// Work the primary server process does besides supervising its HTTP workers. Every instance runs
// its own webhook processor (the inbox is claimed row by row, SKIP LOCKED on PostgreSQL); sweeps
// and scheduled work go through the job runner (app/jobs: pg-boss on PostgreSQL, so several
// instances share them; timers on SQLite).
import type { Worker } from "node:cluster";
import { advanceDueBackfills } from "./backfill/runner.server";
import { startJobs, type Task } from "./jobs/index.server";
import { log } from "./log.server";
import { expirePoints } from "./loyalty/expiry.server";
import { expireRedemptions } from "./loyalty/redemption.server";
import { installedShops, reconcileShop } from "./reconciliation/reconcile.server";
import { unauthenticated } from "./shopify.server";
import { acceptRecordsFrom, buryCrashedEvents, onRecorded, pruneInbox } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";
import { config } from "./config.server";

const adminFor = async (shop: string) => (await unauthenticated.admin(shop)).admin;

function backgroundTasks(): Task[] {
  const { REGULARS_EXPIRY_SWEEP_MS, REGULARS_POINTS_EXPIRY_SWEEP_MS, REGULARS_RECONCILE_CRON } = config();
  return [
    // Events whose every attempt died with the process are dead letters (ADR 0011).
    { name: "webhooks-bury-crashed", everyMs: 2000, run: () => buryCrashedEvents() },
    // Retention: processed webhook bodies are dropped after a few days, their rows later (docs/privacy.md).
    { name: "webhooks-prune", everyMs: 3_600_000, runAtStart: true, run: () => pruneInbox() },
    // Reward codes past their end, and redemption attempts abandoned by a crash.
    { name: "rewards-expiry", everyMs: REGULARS_EXPIRY_SWEEP_MS, run: () => expireRedemptions(new Date()) },
    // Points of members without an order for their shop's expiry months (docs/loyalty-rules.md;
    // off by default). Idempotent by ledger key, so a repeated run changes nothing.
    { name: "points-expiry", everyMs: REGULARS_POINTS_EXPIRY_SWEEP_MS, run: () => expirePoints(new Date()) },
    // Historical imports and "credit past purchases": resumed here after any restart (ADR 0007).
    { name: "backfill", everyMs: 5000, runAtStart: true, run: () => advanceDueBackfills({ adminFor }) },
    // Once a day, each shop's last 48 hours of orders compared with Shopify (docs/reconciliation.md).
    {
      name: "reconcile-daily",
      cron: REGULARS_RECONCILE_CRON,
      run: async (_data, enqueue) => {
        for (const shop of await installedShops()) await enqueue("reconcile-shop", { shop }, { key: shop });
      },
    },
    { name: "reconcile-shop", run: async (data) => reconcileShop(String(data.shop), await adminFor(String(data.shop))) },
  ];
}

export function startBackgroundWork() {
  // The webhook processor, woken whenever the inbox records deliveries.
  const processor = startProcessor();
  const unsubscribe = onRecorded(processor.wake);
  const jobs = startJobs(backgroundTasks());
  return {
    /** Record the webhooks this HTTP worker receives (this process is the inbox's writer). */
    serveWorker: (worker: Worker) => acceptRecordsFrom(worker),
    stop: () => {
      unsubscribe();
      processor.stop();
      jobs.stop().catch((error) => log.error("jobs.stop_failed", { error: String(error) }));
    },
  };
}
