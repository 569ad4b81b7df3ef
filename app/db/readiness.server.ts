// Whether this instance should get traffic (`GET /readyz`): the database answers and every
// migration of prisma/migrations/<dialect>/ is recorded as applied (a deploy that skipped
// `npm run setup` is not ready). Liveness (`/healthz`) is separate and never touches the database,
// so an outage takes instances out of rotation without getting them restarted.
import path from "node:path";
import { db, dialect } from "../db.server";
import { migrationNames } from "./migrations.server";
import { databaseUnavailable } from "./unavailable.server";

export type Readiness =
  { ready: true; database: string; migrations: number } | { ready: false; database: string; reason: string; pending?: string[] };

/** Load balancers poll every few seconds from many places: one check per process per window. */
export const READINESS_CACHE_MS = 2000;
/** A database that takes longer than this to answer `SELECT 1` counts as not answering. */
const ANSWER_WITHIN_MS = 2000;

let cached: { at: number; result: Promise<Readiness> } | null = null;

export function readiness(now = Date.now()): Promise<Readiness> {
  if (!cached || now - cached.at >= READINESS_CACHE_MS) cached = { at: now, result: check() };
  return cached.result;
}

function withinDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function check(): Promise<Readiness> {
  const database = dialect();
  let applied: Set<string>;
  try {
    const rows = await withinDeadline(db.$queryRawUnsafe<{ name: string }[]>(`SELECT "name" FROM "_regulars_migrations"`));
    applied = new Set(rows.map((r) => r.name));
  } catch (error) {
    const unavailable = databaseUnavailable(error);
    const reason = unavailable
      ? `the database is unavailable (${unavailable})`
      : /no answer within/.test(String(error))
        ? `the database did not answer within ${ANSWER_WITHIN_MS} ms`
        : "the database answered with an error (are the migrations applied? run `npm run setup`)";
    return { ready: false, database, reason };
  }
  // Relative to the working directory, as `npm start` and `npm run setup` run from the app's root.
  const expected = migrationNames(path.resolve("prisma/migrations", database));
  const pending = expected.filter((name) => !applied.has(name));
  if (pending.length) {
    return { ready: false, database, reason: `${pending.length} migration(s) not applied; run \`npm run setup\``, pending };
  }
  return { ready: true, database, migrations: expected.length };
}
