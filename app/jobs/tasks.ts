// What background work looks like to the rest of the app, whichever runner carries it out.

/** Hands a one-off job to the runner (e.g. one shop's reconciliation). */
export type Enqueue = (name: string, data: Record<string, unknown>, options?: { key?: string }) => Promise<void>;

export type Task = {
  /** The queue's name: letters, digits and hyphens. */
  name: string;
  /** Run about this often (a sweep). */
  everyMs?: number;
  /** Run at these times, a five-field cron in UTC (e.g. "30 3 * * *": daily at 03:30). */
  cron?: string;
  /** Also run once as the runner starts (a sweep that should not wait its first interval). */
  runAtStart?: boolean;
  run: (data: Record<string, unknown>, enqueue: Enqueue) => Promise<unknown>;
};

export type JobRunner = { enqueue: Enqueue; stop: () => Promise<void> };

/**
 * The interval a cron stands for, for the in-process runner (no cron there: a task runs that
 * often, counted from the start): every N minutes, hourly, or daily.
 */
export function cronIntervalMs(cron: string): number {
  const [minute, hour] = cron.trim().split(/\s+/);
  const every = /^\*\/(\d+)$/.exec(minute);
  if (minute === "*") return 60_000;
  if (every && hour === "*") return Number(every[1]) * 60_000;
  if (hour === "*") return 3_600_000;
  return 86_400_000;
}
