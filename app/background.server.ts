// Work the primary server process does besides supervising its HTTP workers.
import type { Worker } from "node:cluster";
import { acceptRecordsFrom, onRecorded } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";
import { startBackfillRunner } from "./backfill/runner.server";
import { unauthenticated } from "./shopify.server";

/** The webhook processor, woken whenever the inbox records deliveries. */
export function startBackgroundWork() {
  const processor = startProcessor();
  const unsubscribe = onRecorded(processor.wake);
  // Historical imports and "credit past purchases": resumed here after any restart (ADR 0007).
  const backfills = startBackfillRunner({ adminFor: async (shop) => (await unauthenticated.admin(shop)).admin });
  return {
    /** Record the webhooks this HTTP worker receives (this process is the inbox's writer). */
    serveWorker: (worker: Worker) => acceptRecordsFrom(worker),
    stop: () => {
      unsubscribe();
      processor.stop();
      backfills.stop();
    },
  };
}
