/**
 * Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma Model of
 * Monetary Value"). Each transaction value is Gamma(p, ν) with the customer's
 * ν ~ Gamma(q, v), so a customer's mean spend is shrunk towards the population
 * mean by how many transactions back it up. Only repeat transactions are used
 * (x > 0, zbar = their mean value), as in the paper.
 */
import { FitDidNotConverge, logGamma } from "./bgnbd";
import { minimizePositive } from "./optimize";

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface SpendHistory {
  /** Repeat transactions; must be > 0 to carry spend information. */
  x: number;
  /** Mean value of those repeat transactions. */
  zbar: number;
}

/** Sum over customers of the log-density of their mean spend zbar given x transactions. */
export function logLikelihood(params: GammaGammaParams, customers: SpendHistory[]): number {
  return packedLogLikelihood(params, packSpend(customers));
}

/** The spend summaries as parallel arrays: the fit evaluates the likelihood hundreds of times over them. */
interface PackedSpend {
  x: Int32Array;
  zbar: Float64Array;
  maxX: number;
}

function packSpend(customers: SpendHistory[]): PackedSpend {
  const packed = { x: new Int32Array(customers.length), zbar: new Float64Array(customers.length), maxX: 0 };
  customers.forEach(({ x, zbar }, i) => {
    packed.x[i] = x;
    packed.zbar[i] = zbar;
    packed.maxX = Math.max(packed.maxX, x);
  });
  return packed;
}

function packedLogLikelihood({ p, q, v }: GammaGammaParams, customers: PackedSpend): number {
  // The gamma-function terms depend only on x, which takes few distinct values; cache them per call.
  const countTerms = new Float64Array(customers.maxX + 1).fill(NaN);
  const { x: xs, zbar: spends } = customers;
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const zbar = spends[i];
    let terms = countTerms[x];
    if (Number.isNaN(terms)) {
      terms = logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(v) + p * x * Math.log(x);
      countTerms[x] = terms;
    }
    total += terms + (p * x - 1) * Math.log(zbar) - (p * x + q) * Math.log(v + x * zbar);
  }
  return total;
}

/** Maximum likelihood estimate on repeat customers; throws FitDidNotConverge so callers can fall back. */
export function fitGammaGamma(customers: SpendHistory[]): GammaGammaParams {
  // Zero-value repeat purchases have no Gamma density; they carry no spend information here.
  const repeatCustomers = customers.filter((c) => c.x > 0 && c.zbar > 0);
  if (repeatCustomers.length === 0) throw new RangeError("Gamma-Gamma needs repeat customers with positive spend");
  const unpack = ([p, q, v]: number[]): GammaGammaParams => ({ p, q, v });
  const packed = packSpend(repeatCustomers);
  const found = minimizePositive((point) => -packedLogLikelihood(unpack(point), packed), [1, 1, 1]);
  if (!found.converged) throw new FitDidNotConverge("Gamma-Gamma");
  return unpack(found.point);
}

/**
 * E[M | x, zbar]: a weighted average of the population mean p·v/(q − 1) and
 * the customer's own zbar, weighted by px. With x = 0 it is the population mean,
 * which only exists for q > 1.
 */
export function expectedAverageSpend({ p, q, v }: GammaGammaParams, x: number, zbar: number): number {
  return (p * (v + x * zbar)) / (p * x + q - 1);
}
