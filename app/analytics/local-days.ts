// Local calendar days of many UTC instants at once: the shop zone's UTC offsets over the span of
// the data are found with Intl once, then each instant's offset is a lookup among the instants
// where it changes, and the day is ⌊(epoch ms + offset) / 86,400,000⌋ — the numbering of
// `localDayNumber`, without an Intl call per order.
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

/** The local day number of an instant (days since 1970-01-01, local), from the zone's offsets. */
export function localDayOf(ms: number, { starts, offsets }: ZoneOffsets): number {
  // Binary search: the largest k with starts[k] <= ms (starts[0] is −∞).
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= ms) lo = mid;
    else hi = mid - 1;
  }
  const k = lo;
  return Math.floor((ms + offsets[k]) / DAY_MS);
}
