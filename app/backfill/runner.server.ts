// The backfill's background pass, run every few seconds by the job runner (app/jobs): take the
// due jobs (new installs, exports to poll, imports a restart interrupted, owner-requested
// credits) and advance them.
import { db } from "../db.server";
import { log } from "../log.server";
import type { AdminGraphql } from "../shopify/bulk.server";
import { runCreditRequest } from "./credit.server";
import { ACTIVE_STATUSES, advanceBackfill, isImporting, type BackfillOptions } from "./jobs.server";

export type RunnerOptions = BackfillOptions & {
  /** The shop's Admin API client: `unauthenticated.admin(shop)` in production. */
  adminFor: (shop: string) => Promise<AdminGraphql>;
};

async function dueShops() {
  const now = new Date();
  const jobs = await db.backfillJob.findMany({
    where: {
      OR: [{ status: { in: ACTIVE_STATUSES } }, { creditStatus: { in: ["requested", "running"] } }],
      AND: [{ OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] }],
    },
    select: { shop: true, status: true, creditStatus: true },
    orderBy: { updatedAt: "asc" },
  });
  if (jobs.length === 0) return [];
  const uninstalled = new Set(
    (
      await db.shop.findMany({
        where: { domain: { in: jobs.map((j) => j.shop) }, uninstalledAt: { not: null } },
        select: { domain: true },
      })
    ).map((s) => s.domain),
  );
  return jobs.filter((j) => !uninstalled.has(j.shop));
}

/**
 * One pass over the due jobs. Safe to run in several processes at once: each job is taken under
 * its lease (`advanceBackfill` claims it with a conditional update), so only one advances it.
 */
export async function advanceDueBackfills(options: RunnerOptions) {
  for (const job of await dueShops()) {
    try {
      if (isImporting(job.status)) {
        await advanceBackfill(job.shop, () => options.adminFor(job.shop), options);
      } else {
        await runCreditRequest(job.shop);
      }
    } catch (error) {
      log.error("backfill.runner_error", { shop: job.shop, error: String(error) });
    }
  }
}
