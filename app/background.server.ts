// Work the primary server process does besides supervising its HTTP workers. Every instance runs
// its own webhook processor (the inbox is claimed row by row, SKIP LOCKED on PostgreSQL); sweeps
// and scheduled work go through the job runner (app/jobs: pg-boss on PostgreSQL, so several
// instances share them; timers on SQLite).
import type { Worker } from "node:cluster";
import { advanceDueBackfills } from "./backfill/runner.server";
import { startJobs, type Task } from "./jobs/index.server";
import { log } from "./log.server";
import { expirePoints } from "./loyalty/expiry.server";
import { runDailyRules } from "./loyalty/daily.server";
import { expireRedemptions } from "./loyalty/redemption.server";
import { sendFlowEvents } from "./loyalty/flow-events.server";
import { syncMemberMetafields } from "./loyalty/member-sync.server";
import type { AdminGraphql } from "./shopify/graphql-budget.server";
import { installedShops, reconcileShop } from "./reconciliation/reconcile.server";
import { unauthenticated } from "./shopify.server";
import { acceptRecordsFrom, buryCrashedEvents, onRecorded, pruneInbox } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";
import { config } from "./config.server";

const adminFor = async (shop: string) => (await unauthenticated.admin(shop)).admin;
const adminForSync = async (shop: string) => (await adminFor(shop)) as unknown as AdminGraphql;

function backgroundTasks(): Task[] {
  const {
    REGULARS_EXPIRY_SWEEP_MS,
    REGULARS_POINTS_EXPIRY_SWEEP_MS,
    REGULARS_RECONCILE_CRON,
    REGULARS_BACKFILL_POLL_MS,
    REGULARS_DAILY_RULES_MS,
    REGULARS_SHOPIFY_SYNC_MS,
    REGULARS_METAFIELD_DEBOUNCE_MS,
    SHOPIFY_ADMIN_TIMEOUT_MS,
  } = config();
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
    // Historical imports and "credit past purchases": resumed here after any restart (ADRs 0007, 0022).
    {
      name: "backfill",
      everyMs: REGULARS_BACKFILL_POLL_MS,
      runAtStart: true,
      run: () => advanceDueBackfills({ adminFor, pollDelayMs: REGULARS_BACKFILL_POLL_MS }),
    },
    // Birthday bonuses, tiers as the 12-month window moves, expiry reminders (app/loyalty/daily.server.ts):
    // checked every REGULARS_DAILY_RULES_MS, each acting at most once a day per shop.
    { name: "daily-rules", everyMs: REGULARS_DAILY_RULES_MS, run: () => runDailyRules(new Date()) },
    // Once a day, each shop's last 48 hours of orders compared with Shopify (docs/reconciliation.md).
    {
      name: "reconcile-daily",
      cron: REGULARS_RECONCILE_CRON,
      run: async (_data, enqueue) => {
        for (const shop of await installedShops()) await enqueue("reconcile-shop", { shop }, { key: shop });
      },
    },
    { name: "reconcile-shop", run: async (data) => reconcileShop(String(data.shop), await adminFor(String(data.shop))) },
    // Shopify's copy of the program (ADR 0032): members' metafields and Flow triggers, sent after
    // the changes commit, never from the webhook processor; two queues, so one slow call holds up only its kind.
    {
      name: "metafields-sync",
      everyMs: REGULARS_SHOPIFY_SYNC_MS,
      run: () =>
        syncMemberMetafields({
          adminFor: adminForSync,
          timeoutMs: SHOPIFY_ADMIN_TIMEOUT_MS,
          debounceMs: REGULARS_METAFIELD_DEBOUNCE_MS,
        }),
    },
    {
      name: "flow-triggers",
      everyMs: REGULARS_SHOPIFY_SYNC_MS,
      run: () => sendFlowEvents({ adminFor: adminForSync, timeoutMs: SHOPIFY_ADMIN_TIMEOUT_MS }),
    },
  ];
}

/**
 * The work of the server's primary process besides HTTP: the webhook processor, and through the
 * job runner (app/jobs) the historical imports, the expiry sweeps, the inbox retention and the
 * daily reconciliation.
 *
 * - When, where: server.mjs calls it once per server, in the primary process, right after the
 *   configuration check and before any HTTP is served; never in an HTTP worker (a second
 *   processor per worker would only contend for the same rows, and the inbox's group commit
 *   needs its one writer). With WEB_CONCURRENCY=1 the primary is also the HTTP server.
 * - What it must not do: block or throw (it returns at once; each job's errors are logged, never
 *   thrown, so a database hiccup cannot stop the server), or hold the process open (its sweeps'
 *   timers are unref'd: the HTTP server, or the cluster's workers, are what keep it alive).
 * - `serveWorker(worker)`: server.mjs hands it every HTTP worker it forks, so the worker's
 *   deliveries are recorded here (app/webhooks/inbox.server.ts). Unused without workers.
 * - How it stops: `stop()`, on SIGTERM or SIGINT, ends every timer and subscription: nothing new
 *   starts. A batch already running is not awaited; the process exits within seconds, and what it
 *   had claimed is taken again once its lease runs out (the processor's crash rule).
 */
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
