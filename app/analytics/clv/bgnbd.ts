/**
 * BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers
 * the easy way"). Customers buy at Poisson rate λ ~ Gamma(r, α) while alive
 * and drop out after each repeat purchase with probability p ~ Beta(a, b).
 *
 * Summary data per customer: x = repeat purchases, t_x = time of the last
 * purchase (recency), T = time since the first purchase (age), all measured
 * from the first purchase in the same period unit.
 */
import { minimizePositive } from "./optimize";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
}

export interface PurchaseHistory {
  x: number;
  t_x: number;
  T: number;
}

export class FitDidNotConverge extends Error {
  constructor(model: string) {
    super(`${model} maximum likelihood fit did not converge`);
    this.name = "FitDidNotConverge";
  }
}

// Lanczos approximation (g = 7, 9 terms): ~15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0, without overflow for large x. */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps accuracy for small shapes such as r ≈ 0.2.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let series = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/** log(e^u + e^v) without overflow or underflow. */
export function logSumExp(u: number, v: number): number {
  const max = Math.max(u, v);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(Math.exp(u - max) + Math.exp(v - max));
}

/** Log-likelihood of summary data (the paper's individual likelihood, summed), in log-space. */
export function logLikelihood(params: BgNbdParams, customers: PurchaseHistory[]): number {
  return packedLogLikelihood(params, packHistories(customers));
}

/** The summaries as parallel arrays: the fit evaluates the likelihood hundreds of times over them. */
interface PackedHistories {
  x: Int32Array;
  t_x: Float64Array;
  T: Float64Array;
  maxX: number;
}

function packHistories(customers: PurchaseHistory[]): PackedHistories {
  const n = customers.length;
  const packed = { x: new Int32Array(n), t_x: new Float64Array(n), T: new Float64Array(n), maxX: 0 };
  customers.forEach(({ x, t_x, T }, i) => {
    packed.x[i] = x;
    packed.t_x[i] = t_x;
    packed.T[i] = T;
    packed.maxX = Math.max(packed.maxX, x);
  });
  return packed;
}

function packedLogLikelihood({ r, alpha, a, b }: BgNbdParams, customers: PackedHistories): number {
  // The gamma-function terms depend only on x, which takes few distinct values; cache them per call.
  const countTerms = new Float64Array(customers.maxX + 1).fill(NaN);
  const { x: xs, t_x: recency, T: ages } = customers;
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    let terms = countTerms[x];
    if (Number.isNaN(terms)) {
      const rateTerm = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
      const dropoutTerm = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
      terms = rateTerm + dropoutTerm;
      countTerms[x] = terms;
    }
    const aliveAtT = -(r + x) * Math.log(alpha + ages[i]);
    const diedAfterLastPurchase = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + recency[i]) : -Infinity;
    total += terms + logSumExp(aliveAtT, diedAfterLastPurchase);
  }
  return total;
}

/** Maximum likelihood estimate; throws FitDidNotConverge so callers can fall back. */
export function fitBgNbd(customers: PurchaseHistory[]): BgNbdFit {
  const unpack = ([r, alpha, a, b]: number[]): BgNbdParams => ({ r, alpha, a, b });
  const packed = packHistories(customers);
  const found = minimizePositive((point) => -packedLogLikelihood(unpack(point), packed), [1, 1, 1, 1]);
  if (!found.converged) throw new FitDidNotConverge("BG/NBD");
  return { ...unpack(found.point), logLikelihood: -found.value };
}

/** P(customer still alive at T | x, t_x, T) under BG/NBD. */
export function probabilityAlive({ r, alpha, a, b }: BgNbdParams, x: number, t_x: number, T: number): number {
  // Under BG/NBD a customer can only drop out right after a repeat purchase, so x = 0 means alive.
  if (x === 0) return 1;
  const logOddsDead = Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + t_x));
  return 1 / (1 + Math.exp(logOddsDead));
}

/**
 * E[purchases in (T, T + t] | x, t_x, T], eq. 10 of the paper: the forecast
 * if still alive, weighted by P(alive). The a − 1 denominator makes a = 1
 * exactly a removable singularity that this closed form does not handle.
 */
export function expectedPurchases(params: BgNbdParams, t: number, x: number, t_x: number, T: number): number {
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  // (1 - z)^(r + x) = ((α + T) / (α + T + t))^(r + x)
  const scaledSeries = Math.exp((r + x) * Math.log1p(-z)) * hypergeometric2F1(r + x, b + x, a + b + x - 1, z);
  const ifAlive = ((a + b + x - 1) / (a - 1)) * (1 - scaledSeries);
  return ifAlive * probabilityAlive(params, x, t_x, T);
}

const SERIES_MAX_TERMS = 1_000_000;
const SERIES_RELATIVE_TOLERANCE = 1e-15;

/**
 * Gauss hypergeometric 2F1(a, b; c; z) for 0 ≤ z < 1 by its power series.
 * Here z = t / (α + T + t) < 1, so the series converges; it slows as z → 1,
 * hence the explicit tail bound and term cap instead of a fixed term count.
 */
export function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`2F1 series needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < SERIES_MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (!Number.isFinite(sum)) break;
    // Once the term ratio is below 1 it tends to z, so the tail is at most a geometric series.
    const tailRatio = Math.max(Math.abs(ratio), z);
    if (tailRatio < 1 && (Math.abs(term) * tailRatio) / (1 - tailRatio) <= SERIES_RELATIVE_TOLERANCE * Math.abs(sum)) {
      return sum;
    }
  }
  throw new RangeError(`2F1(${a}, ${b}; ${c}; ${z}) series did not converge`);
}
