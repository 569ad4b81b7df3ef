// Background work shared by several instances on one PostgreSQL, through pg-boss (its own schema,
// `pgboss`, created and migrated by pg-boss itself). Every instance works every queue; pg-boss
// hands each job to one of them (SKIP LOCKED), so a sweep runs once per interval across the
// fleet, not once per instance, and a shop's reconciliation never runs twice at the same time.
import PgBoss from "pg-boss";
import { log } from "../log.server";
import type { JobRunner, Task } from "./tasks";

export const JOBS_SCHEMA = "pgboss";

export function startPgBoss(connectionString: string, tasks: Task[]): JobRunner {
  const boss = new PgBoss({ connectionString, schema: JOBS_SCHEMA, max: 3, application_name: "regulars-jobs" });
  boss.on("error", (error) => log.error("job.runner_error", { error: String(error) }));
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const ready = (async () => {
    await boss.start();
    for (const task of tasks) {
      // stately: at most one job waiting and one running per (queue, key). A job whose instance
      // died is given up after a few minutes so the queue moves on; every task is safe to run
      // again (idempotent writes, leases on backfill jobs), so that costs nothing but the retry.
      const expireInSeconds = task.everyMs ? 300 : 900;
      await boss.createQueue(task.name, { policy: "stately", retryLimit: 0, expireInSeconds });
      await boss.work(task.name, { pollingIntervalSeconds: task.everyMs && task.everyMs < 10_000 ? 0.5 : 2 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await task.run((job.data ?? {}) as Record<string, unknown>, enqueue);
          } catch (error) {
            log.error("job.failed", { job: task.name, error: String(error) });
            throw error;
          }
        }
      });
      if (task.cron) await boss.schedule(task.name, task.cron, {}, { tz: "UTC" });
      if (task.everyMs) {
        // Every instance offers a job each interval; the throttle slot lets one through.
        const seconds = Math.max(1, Math.round(task.everyMs / 1000));
        const offer = () => {
          if (stopped) return;
          boss
            .sendThrottled(task.name, {}, {}, seconds)
            .catch((error) => log.error("job.offer_failed", { job: task.name, error: String(error) }));
        };
        const timer = setInterval(offer, task.everyMs);
        timer.unref();
        timers.push(timer);
        if (task.runAtStart) offer();
      } else if (task.runAtStart) {
        await boss.send(task.name, {});
      }
    }
    log.info("jobs.started", { runner: "pg-boss", queues: tasks.map((t) => t.name) });
  })();
  ready.catch((error) => log.error("jobs.start_failed", { error: String(error) }));

  async function enqueue(name: string, data: Record<string, unknown>, options: { key?: string } = {}) {
    await ready;
    await boss.send(name, data, options.key ? { singletonKey: options.key } : {});
  }

  return {
    enqueue,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await ready.catch(() => undefined);
      await boss.stop({ graceful: true, timeout: 2000 });
    },
  };
}
