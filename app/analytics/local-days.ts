// Local calendar days of stored UTC timestamps in SQL, the same text on SQLite and PostgreSQL
// (SQLite knows no time zones): the shop zone's UTC offsets over the span of the data are found
// with Intl, a balanced CASE tree on the instants where the offset changes gives each timestamp
// its offset, and the day is (epoch ms + offset) / 86,400,000 — the numbering of `localDayNumber`.
import { zoneOffset } from "./time";

const DAY_MS = 86_400_000;
/** Offsets are sampled weekly: no zone has changed its offset twice within a week. */
const STEP_MS = 7 * DAY_MS;

/** Offset k (local − UTC, ms) holds from starts[k] (starts[0] = −∞) to starts[k + 1]. */
export interface ZoneOffsets {
  starts: number[];
  offsets: number[];
}

/** The offsets of `zone` between two instants (ms), with the instants (whole seconds) where they change. */
export function zoneOffsets(zone: string, fromMs: number, toMs: number): ZoneOffsets {
  const starts = [-Infinity];
  const offsets = [zoneOffset(fromMs, zone)];
  for (let previous = fromMs, at = fromMs + STEP_MS; previous < toMs; previous = at, at += STEP_MS) {
    const offset = zoneOffset(at, zone);
    if (offset === offsets[offsets.length - 1]) continue;
    // The change is in (previous, at]: bisect to the second.
    let [lo, hi] = [previous, at];
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (mid <= lo) break;
      if (zoneOffset(mid, zone) === offset) hi = mid;
      else lo = mid;
    }
    starts.push(Math.ceil(hi / 1000) * 1000);
    offsets.push(offset);
  }
  return { starts, offsets };
}

/** Epoch milliseconds of a timestamp column as an integer (both databases store whole ms). */
export function epochMs(dialect: "sqlite" | "postgres", expression: string): string {
  return dialect === "postgres"
    ? `CAST(ROUND(EXTRACT(EPOCH FROM ${expression}) * 1000) AS BIGINT)`
    : `CAST(ROUND((julianday(${expression}) - 2440587.5) * 86400000.0) AS INTEGER)`;
}

/**
 * SQL for the local day number of `column` (days since 1970-01-01, local). Appends the change
 * instants to `params`; the offsets are numbers this module computed, written inline.
 */
export function localDayExpression(
  dialect: "sqlite" | "postgres",
  column: string,
  { starts, offsets }: ZoneOffsets,
  params: unknown[],
): string {
  const tree = (lo: number, hi: number): string => {
    if (lo === hi) return String(Math.trunc(offsets[lo]));
    const mid = Math.ceil((lo + hi) / 2);
    params.push(new Date(starts[mid]));
    const below = tree(lo, mid - 1);
    return `(CASE WHEN ${column} < ? THEN ${below} ELSE ${tree(mid, hi)} END)`;
  };
  // Integer division truncates towards zero: right for every instant after 1970.
  return `((${epochMs(dialect, column)} + ${tree(0, offsets.length - 1)}) / ${DAY_MS})`;
}

/** The same day number in JS, from the same offsets (tests hold the SQL to it). */
export function localDayOf(ms: number, { starts, offsets }: ZoneOffsets): number {
  let k = offsets.length - 1;
  while (k > 0 && ms < starts[k]) k--;
  return Math.floor((ms + offsets[k]) / DAY_MS);
}
