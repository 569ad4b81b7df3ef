// Background work on one machine (SQLite): timers in this process, which is the only one that
// writes the database (ADR 0002), so nothing needs to be shared with another process.
import { log } from "../log.server";
import { cronIntervalMs, type JobRunner, type Task } from "./tasks";

export function startInProcess(tasks: Task[]): JobRunner {
  const timers: NodeJS.Timeout[] = [];
  const byName = new Map(tasks.map((t) => [t.name, t]));
  // One run of a (task, key) at a time: a slow sweep is not started again on top of itself.
  const running = new Set<string>();
  const run = async (task: Task, data: Record<string, unknown>, key = "") => {
    const id = `${task.name}|${key}`;
    if (running.has(id)) return;
    running.add(id);
    try {
      await task.run(data, enqueue);
    } catch (error) {
      log.error("job.failed", { job: task.name, key: key || undefined, error: String(error) });
    } finally {
      running.delete(id);
    }
  };
  const enqueue: JobRunner["enqueue"] = async (name, data, options = {}) => {
    const task = byName.get(name);
    if (!task) throw new Error(`no job named ${name}`);
    void run(task, data, options.key);
  };
  for (const task of tasks) {
    const every = task.everyMs ?? (task.cron ? cronIntervalMs(task.cron) : null);
    if (every !== null) {
      const timer = setInterval(() => void run(task, {}), every);
      timer.unref();
      timers.push(timer);
    }
    if (task.runAtStart) void run(task, {});
  }
  return {
    enqueue,
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
