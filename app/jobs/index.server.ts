// Scheduled and background work (ADR 0026): pg-boss on PostgreSQL, where several instances share
// the database; timers in this process on SQLite, where one machine is all there is.
import { databaseUrl, dialectOf } from "../db/config.server";
import { startInProcess } from "./in-process.server";
import { startPgBoss } from "./pg-boss.server";
import type { JobRunner, Task } from "./tasks";

export type { Enqueue, JobRunner, Task } from "./tasks";

export function startJobs(tasks: Task[]): JobRunner {
  const url = databaseUrl();
  return dialectOf(url) === "postgres" ? startPgBoss(url, tasks) : startInProcess(tasks);
}
