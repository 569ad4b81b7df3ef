// RFM: recency, frequency and monetary scores 1..5 by quintile, and the segments owners act on.
//
// Scores are rank-based: a customer's score is 1 + ⌊5 × (share of customers strictly worse)⌋,
// so ties share a score (every one-order customer gets the same frequency score) and the best
// fifth scores 5. Recency is better when more recent; frequency and monetary when higher.
// FM = round((F + M) / 2) summarises value. Segments, checked in this order:
//
// | segment              | rule                         | what to do                        |
// |----------------------|------------------------------|-----------------------------------|
// | champions            | R ≥ 4 and FM ≥ 4             | reward, ask for reviews/referrals |
// | loyal                | R ≥ 3, FM ≥ 3, > 1 order      | upsell, VIP tier                  |
// | new                  | R ≥ 4 and one order          | onboard, second-order incentive   |
// | potential_loyalists  | R ≥ 3                        | membership, bonus points          |
// | cant_lose            | R = 1 and FM ≥ 4             | win back now, personal outreach   |
// | at_risk              | R ≤ 2 and FM ≥ 3             | reactivation campaign             |
// | hibernating          | R = 2                        | low-cost reminder                 |
// | lost                 | R = 1                        | ignore or last-chance offer       |

export const SEGMENTS = [
  "champions",
  "loyal",
  "new",
  "potential_loyalists",
  "cant_lose",
  "at_risk",
  "hibernating",
  "lost",
] as const;
export type Segment = (typeof SEGMENTS)[number];

export const SEGMENT_LABELS: Record<Segment, string> = {
  champions: "Champions",
  loyal: "Loyal",
  new: "New",
  potential_loyalists: "Potential loyalists",
  cant_lose: "Can't lose",
  at_risk: "At risk",
  hibernating: "Hibernating",
  lost: "Lost",
};

export interface RfmInput {
  /** Days since the last order (lower is better). */
  recencyDays: number;
  orders: number;
  monetaryCents: number;
}

export interface RfmScore {
  r: number;
  f: number;
  m: number;
  segment: Segment;
}

/** Score 1..5 for each value: 1 + ⌊5 × (#strictly worse) / n⌋, where "worse" is lower. */
export function quintileScores(values: Float64Array | number[]): Uint8Array {
  const n = values.length;
  // The score is ≥ k + 1 exactly when at least ⌈k·n/5⌉ values are strictly below v, that is when
  // v is above the ⌈k·n/5⌉-th smallest value: four comparisons per value against a sorted copy
  // (new Float64Array copies in one go; Float64Array.from would iterate).
  const sorted = new Float64Array(values).sort();
  const thresholds = [1, 2, 3, 4].map((k) => sorted[Math.ceil((k * n) / 5) - 1]);
  const [t1, t2, t3, t4] = thresholds;
  const scores = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    scores[i] = 1 + (v > t1 ? 1 : 0) + (v > t2 ? 1 : 0) + (v > t3 ? 1 : 0) + (v > t4 ? 1 : 0);
  }
  return scores;
}

export function segmentOf(r: number, f: number, m: number, orders: number): Segment {
  const fm = Math.round((f + m) / 2);
  if (r >= 4 && fm >= 4) return "champions";
  if (r >= 3 && fm >= 3 && orders > 1) return "loyal";
  if (r >= 4 && orders === 1) return "new";
  if (r >= 3) return "potential_loyalists";
  if (r === 1 && fm >= 4) return "cant_lose";
  if (fm >= 3) return "at_risk";
  if (r === 2) return "hibernating";
  return "lost";
}

/** Segments from parallel arrays (no per-customer objects: 200,000 customers score in a few ms). */
export function rfmSegments(recencyDays: Float64Array, orders: Int32Array, monetaryCents: Float64Array): Segment[] {
  const n = orders.length;
  const recency = new Float64Array(n);
  for (let i = 0; i < n; i++) recency[i] = -recencyDays[i]; // more recent is better
  const r = quintileScores(recency);
  const f = quintileScores(new Float64Array(orders));
  const m = quintileScores(monetaryCents);
  const segments: Segment[] = new Array(n);
  for (let i = 0; i < n; i++) segments[i] = segmentOf(r[i], f[i], m[i], orders[i]);
  return segments;
}

export function scoreRfm(customers: RfmInput[]): RfmScore[] {
  const n = customers.length;
  const recency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  customers.forEach((c, i) => {
    recency[i] = -c.recencyDays; // more recent is better
    frequency[i] = c.orders;
    monetary[i] = c.monetaryCents;
  });
  const [r, f, m] = [quintileScores(recency), quintileScores(frequency), quintileScores(monetary)];
  return customers.map((c, i) => ({ r: r[i], f: f[i], m: m[i], segment: segmentOf(r[i], f[i], m[i], c.orders) }));
}
