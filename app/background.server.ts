// Work the primary server process does besides HTTP (supervising its workers, or serving alone).
import type { Worker } from "node:cluster";
import { startBackfillRunner } from "./backfill/runner.server";
import { log } from "./log.server";
import { expirePoints } from "./loyalty/expiry.server";
import { runDailyRules } from "./loyalty/daily.server";
import { expireRedemptions } from "./loyalty/redemption.server";
import { unauthenticated } from "./shopify.server";
import { acceptRecordsFrom, onRecorded, pruneInbox } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";
import { config } from "./config.server";

const INBOX_PRUNE_MS = 3_600_000;

/**
 * The work of the server's primary process besides HTTP: the webhook processor, historical
 * imports, the expiry sweeps and the inbox retention.
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
  const { REGULARS_EXPIRY_SWEEP_MS: EXPIRY_SWEEP_MS, REGULARS_POINTS_EXPIRY_SWEEP_MS: POINTS_EXPIRY_SWEEP_MS } = config();
  // The webhook processor, woken whenever the inbox records deliveries.
  const processor = startProcessor();
  const unsubscribe = onRecorded(processor.wake);
  // Historical imports and "credit past purchases": resumed here after any restart (ADRs 0007, 0022).
  const backfills = startBackfillRunner({ adminFor: async (shop) => (await unauthenticated.admin(shop)).admin });
  // Reward codes past their end, and redemption attempts abandoned by a crash.
  const expiry = setInterval(() => {
    expireRedemptions(new Date()).catch((error) => log.error("redemption.expiry_failed", { error: String(error) }));
  }, EXPIRY_SWEEP_MS);
  expiry.unref();
  // Points of members without an order for their shop's expiry months (docs/loyalty-rules.md; off by default).
  // Idempotent by ledger key, so a restart or a second process running it too changes nothing.
  const pointsExpiry = setInterval(() => {
    expirePoints(new Date()).catch((error) => log.error("points.expiry_failed", { error: String(error) }));
  }, POINTS_EXPIRY_SWEEP_MS);
  pointsExpiry.unref();
  // Birthday bonuses, tiers as the 12-month window moves, expiry reminders (app/loyalty/daily.server.ts).
  const dailyRules = setInterval(() => void runDailyRules(new Date()), config().REGULARS_DAILY_RULES_MS);
  dailyRules.unref();
  // Retention: processed webhook bodies are dropped after a few days, their rows later (docs/privacy.md).
  const prune = () => pruneInbox().catch((error) => log.error("webhook.prune_failed", { error: String(error) }));
  const inboxRetention = setInterval(prune, INBOX_PRUNE_MS);
  inboxRetention.unref();
  void prune();
  return {
    /** Record the webhooks this HTTP worker receives (this process is the inbox's writer). */
    serveWorker: (worker: Worker) => acceptRecordsFrom(worker),
    stop: () => {
      unsubscribe();
      processor.stop();
      backfills.stop();
      clearInterval(expiry);
      clearInterval(pointsExpiry);
      clearInterval(dailyRules);
      clearInterval(inboxRetention);
    },
  };
}
