/**
 * Seeded simulation of customers from the BG/NBD and Gamma-Gamma generative
 * stories, for parameter-recovery tests.
 */
import type { BgNbdParams } from "../../app/analytics/clv/bgnbd";
import type { GammaGammaParams } from "../../app/analytics/clv/gamma-gamma";
import type { CustomerSummary } from "../../app/analytics/clv/index";

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for Monte Carlo tests; uniform on [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardNormal(random: Random): number {
  // Box–Muller; 1 - u keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, rate) by Marsaglia–Tsang, with the U^(1/shape) boost for shape < 1. */
export function sampleGamma(random: Random, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = standardNormal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

function sampleBeta(random: Random, a: number, b: number): number {
  const x = sampleGamma(random, a, 1);
  return x / (x + sampleGamma(random, b, 1));
}

/**
 * One customer observed for `T` periods after their first purchase: buys at
 * rate λ ~ Gamma(r, α) and drops out right after each repeat purchase with
 * probability p ~ Beta(a, b); spends Gamma(p_s, ν) per repeat purchase with ν ~ Gamma(q, v).
 */
export function simulateCustomer(random: Random, purchase: BgNbdParams, spend: GammaGammaParams, T: number): CustomerSummary {
  const lambda = sampleGamma(random, purchase.r, purchase.alpha);
  const dropout = sampleBeta(random, purchase.a, purchase.b);
  const nu = sampleGamma(random, spend.q, spend.v);
  let time = 0;
  let x = 0;
  let t_x = 0;
  let totalSpend = 0;
  for (;;) {
    time += -Math.log(1 - random()) / lambda;
    if (time > T) break;
    x += 1;
    t_x = time;
    totalSpend += sampleGamma(random, spend.p, nu);
    if (random() < dropout) break;
  }
  return { x, t_x, T, zbar: x > 0 ? totalSpend / x : 0 };
}

/** A cohort with ages spread uniformly over [minT, maxT], like staggered sign-ups. */
export function simulateCohort(
  seed: number,
  size: number,
  purchase: BgNbdParams,
  spend: GammaGammaParams,
  minT: number,
  maxT: number,
): CustomerSummary[] {
  const random = mulberry32(seed);
  return Array.from({ length: size }, () => simulateCustomer(random, purchase, spend, minT + (maxT - minT) * random()));
}
