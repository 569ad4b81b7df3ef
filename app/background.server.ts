// Work the primary server process does besides supervising its HTTP workers.
import type { Worker } from "node:cluster";
import { acceptRecordsFrom, onRecorded } from "./webhooks/inbox.server";
import { startProcessor } from "./webhooks/processor.server";

/** The webhook processor, woken whenever the inbox records deliveries. */
export function startBackgroundWork() {
  const processor = startProcessor();
  const unsubscribe = onRecorded(processor.wake);
  return {
    /** Record the webhooks this HTTP worker receives (this process is the inbox's writer). */
    serveWorker: (worker: Worker) => acceptRecordsFrom(worker),
    stop: () => {
      unsubscribe();
      processor.stop();
    },
  };
}
