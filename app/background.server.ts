// Work the primary server process does besides supervising its HTTP workers.
import type { Worker } from "node:cluster";
import { startBackfillRunner } from "./backfill/runner.server";
import { log } from "./log.server";
import { expirePoints } from "./loyalty/expiry.server";
import { expireRedemptions } from "./loyalty/redemption.server";
import { unauthenticated } from "./shopify.server";
import { acceptRecordsFrom, onRecorded, pruneInbox } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";
import { config } from "./config.server";

const INBOX_PRUNE_MS = 3_600_000;

export function startBackgroundWork() {
  const { REGULARS_EXPIRY_SWEEP_MS: EXPIRY_SWEEP_MS, REGULARS_POINTS_EXPIRY_SWEEP_MS: POINTS_EXPIRY_SWEEP_MS } = config();
  // The webhook processor, woken whenever the inbox records deliveries.
  const processor = startProcessor();
  const unsubscribe = onRecorded(processor.wake);
  // Historical imports and "credit past purchases": resumed here after any restart (ADR 0007).
  const backfillPollMs = config().REGULARS_BACKFILL_POLL_MS;
  const backfills = startBackfillRunner({
    adminFor: async (shop) => (await unauthenticated.admin(shop)).admin,
    intervalMs: backfillPollMs,
    pollDelayMs: backfillPollMs,
  });
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
      clearInterval(inboxRetention);
    },
  };
}
