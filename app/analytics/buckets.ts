// Grouping instants by local calendar months in SQL, identically on SQLite and PostgreSQL:
// the month boundaries (local midnights, computed with Intl) are bound as parameters and a
// balanced CASE tree maps a timestamp to its month index in ⌈log2(months)⌉ comparisons.

/**
 * SQL for the index k with boundaries[k] ≤ column < boundaries[k + 1]: −1 before the first
 * boundary, boundaries.length − 1 at or after the last. Appends its parameters to `params`.
 */
export function bucketExpression(column: string, boundaries: Date[], params: unknown[]): string {
  // count = how many boundaries are ≤ the value, in [lo, hi]; the index is count − 1.
  const tree = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo - 1);
    const mid = Math.ceil((lo + hi) / 2);
    params.push(boundaries[mid - 1]);
    const below = `(CASE WHEN ${column} < ? THEN `;
    const left = tree(lo, mid - 1);
    const right = tree(mid, hi);
    return `${below}${left} ELSE ${right} END)`;
  };
  return tree(0, boundaries.length);
}

/** The same mapping in JS: index k with boundaries[k] ≤ ms < boundaries[k + 1]. */
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
