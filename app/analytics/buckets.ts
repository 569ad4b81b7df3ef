// Grouping instants by local calendar months: the month boundaries are local midnights computed
// with Intl, and an instant's month is found by binary search over them.

/** The index k with boundaries[k] ≤ ms < boundaries[k + 1]: −1 before the first boundary, boundaries.length − 1 at or after the last. */
export function bucketOf(ms: number, boundaries: Date[]): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid].getTime() <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
