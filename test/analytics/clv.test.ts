import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectedPurchases,
  fitBgNbd,
  hypergeometric2F1,
  logLikelihood as bgNbdLogLikelihood,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
} from "../../app/analytics/clv/bgnbd";
import {
  expectedAverageSpend,
  fitGammaGamma,
  logLikelihood as gammaGammaLogLikelihood,
  type GammaGammaParams,
} from "../../app/analytics/clv/gamma-gamma";
import { fitClv, MIN_REPEAT_CUSTOMERS_TO_FIT, predictedClv, type CustomerSummary } from "../../app/analytics/clv/index";
import { mulberry32, simulateCohort, simulateCustomer } from "./simulate";

const testDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(testDir, "../..");
const CDNOW_CSV = path.resolve(testDir, "../fixtures/cdnow_customers_summary.csv"); // provenance: test/fixtures/README.md

/** The CDNOW file is `ID,x,t_x,T,zbar` with CRLF line endings; zbar is mean repeat spend. */
function readCdnow(): CustomerSummary[] {
  const [header, ...lines] = readFileSync(CDNOW_CSV, "utf8").trim().split(/\r?\n/);
  expect(header.trim()).toBe("ID,x,t_x,T,zbar");
  return lines.map((line) => {
    const [, x, t_x, T, zbar] = line.split(",").map(Number);
    return { x, t_x, T, zbar };
  });
}

const withinRelative = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);

describe("CDNOW benchmark (published estimates)", () => {
  let customers: CustomerSummary[];
  let bgnbd: BgNbdFit;
  let gammaGamma: GammaGammaParams;

  beforeAll(() => {
    customers = readCdnow();
    bgnbd = fitBgNbd(customers);
    gammaGamma = fitGammaGamma(customers);
  });

  it("has the 2357-customer cohort with 946 repeat buyers", () => {
    expect(customers).toHaveLength(2357);
    expect(customers.filter((c) => c.x > 0)).toHaveLength(946);
  });

  it("BG/NBD matches Fader, Hardie & Lee (2005) within 1%", () => {
    withinRelative(bgnbd.r, 0.243, 0.01);
    withinRelative(bgnbd.alpha, 4.414, 0.01);
    withinRelative(bgnbd.a, 0.793, 0.01);
    withinRelative(bgnbd.b, 2.426, 0.01);
    withinRelative(bgnbd.logLikelihood, -9582.4, 0.01);
    // Tighter than the brief's 1%: the optimum itself should agree to the published rounding.
    expect(bgnbd.logLikelihood).toBeCloseTo(-9582.4, 0);
  });

  it("Gamma-Gamma matches Fader & Hardie (2013) within 1%", () => {
    withinRelative(gammaGamma.p, 6.25, 0.01);
    withinRelative(gammaGamma.q, 3.74, 0.01);
    withinRelative(gammaGamma.v, 15.44, 0.01);
  });

  it("reproduces the paper's 39-week forecast for the x=2, t_x=30.43, T=38.86 customer", () => {
    expect(expectedPurchases(bgnbd, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it("fitClv returns both models and predictedClv is purchases × spend", () => {
    const params = fitClv(customers);
    expect(params).not.toBeNull();
    const customer = customers[0];
    const clv = predictedClv(params!, customer, 52);
    const purchases = expectedPurchases(params!.bgnbd, 52, customer.x, customer.t_x, customer.T);
    const spend = expectedAverageSpend(params!.gammaGamma, customer.x, customer.zbar);
    expect(clv).toBeCloseTo(purchases * spend, 10);
    expect(clv).toBeGreaterThan(0);
  });
});

describe("parameter recovery from simulated customers", () => {
  const truePurchase: BgNbdParams = { r: 0.5, alpha: 8, a: 0.8, b: 3 };
  const trueSpend: GammaGammaParams = { p: 4, q: 5, v: 30 };
  // 20,000 customers aged 6–24 months (weeks). At a few thousand, a and b (and v vs q) are only
  // weakly identified separately: across seeds 1–20 at this size the worst relative error was
  // 12.5% (b), with typical errors 1–5%. 20% is therefore ~3 standard errors for the weakest
  // parameter, yet far below what a wrong likelihood term or swapped parameter produces.
  const TOLERANCE = 0.2;
  const cohort = simulateCohort(1, 20_000, truePurchase, trueSpend, 26, 104);

  it("recovers BG/NBD parameters and beats the true parameters' likelihood", () => {
    const fit = fitBgNbd(cohort);
    for (const key of ["r", "alpha", "a", "b"] as const) withinRelative(fit[key], truePurchase[key], TOLERANCE);
    // The MLE must score at least as well as the truth; failing this means the optimiser stopped early.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truePurchase, cohort));
  });

  it("recovers Gamma-Gamma parameters and the well-identified mean spend tightly", () => {
    const fit = fitGammaGamma(cohort);
    for (const key of ["p", "q", "v"] as const) withinRelative(fit[key], trueSpend[key], TOLERANCE);
    const repeat = cohort.filter((c) => c.x > 0);
    expect(gammaGammaLogLikelihood(fit, repeat)).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(trueSpend, repeat));
    // Population mean spend p·v/(q−1) is pinned down much better than p, q, v individually.
    withinRelative(expectedAverageSpend(fit, 0, 0), expectedAverageSpend(trueSpend, 0, 0), 0.05);
  });
});

describe("expectedPurchases and probabilityAlive", () => {
  const params: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

  it("2F1 series matches closed forms, including close to z = 1", () => {
    for (const z of [0, 0.3, 0.9, 0.999]) {
      const expected = z === 0 ? 1 : -Math.log(1 - z) / z; // 2F1(1, 1; 2; z)
      expect(hypergeometric2F1(1, 1, 2, z)).toBeCloseTo(expected, 10);
      expect(hypergeometric2F1(0.7, 2.5, 2.5, z)).toBeCloseTo((1 - z) ** -0.7, 8); // 2F1(a, b; b; z)
    }
    expect(() => hypergeometric2F1(1, 1, 2, 1)).toThrow(RangeError);
  });

  it("matches a Monte Carlo forecast for brand-new customers", () => {
    // A customer with x = 0, T = 0 has no history, so eq. 10 reduces to the unconditional E[X(t)].
    const horizon = 52;
    const random = mulberry32(7);
    const sample = 100_000;
    let purchases = 0;
    for (let i = 0; i < sample; i++) purchases += simulateCustomer(random, params, { p: 1, q: 2, v: 1 }, horizon).x;
    // Monte Carlo standard error is ~1% of the mean here; allow 3%.
    withinRelative(purchases / sample, expectedPurchases(params, horizon, 0, 0, 0), 0.03);
  });

  it("is zero over a zero horizon and grows with the horizon", () => {
    expect(expectedPurchases(params, 0, 2, 30.43, 38.86)).toBe(0);
    const forecasts = [13, 26, 39, 52].map((t) => expectedPurchases(params, t, 2, 30.43, 38.86));
    for (let i = 1; i < forecasts.length; i++) expect(forecasts[i]).toBeGreaterThan(forecasts[i - 1]);
  });

  it("P(alive) is 1 with no repeat purchases, since BG/NBD dropout only follows a purchase", () => {
    expect(probabilityAlive(params, 0, 0, 38.86)).toBe(1);
    expect(probabilityAlive(params, 0, 0, 500)).toBe(1);
  });

  it("P(alive) falls as the last purchase recedes into the past", () => {
    const byRecency = [38, 30, 20, 10, 1].map((t_x) => probabilityAlive(params, 2, t_x, 38.86));
    for (let i = 1; i < byRecency.length; i++) expect(byRecency[i]).toBeLessThan(byRecency[i - 1]);
    const byAge = [40, 60, 100].map((T) => probabilityAlive(params, 2, 30, T));
    for (let i = 1; i < byAge.length; i++) expect(byAge[i]).toBeLessThan(byAge[i - 1]);
    for (const p of [...byRecency, ...byAge]) expect(p).toBeGreaterThan(0);
  });
});

describe("fitClv fallback", () => {
  it("returns null with fewer than MIN_REPEAT_CUSTOMERS_TO_FIT repeat customers", () => {
    const random = mulberry32(3);
    const few = Array.from({ length: MIN_REPEAT_CUSTOMERS_TO_FIT - 1 }, () => ({
      x: 1 + Math.floor(random() * 3),
      t_x: 10,
      T: 20,
      zbar: 10 + random() * 20,
    }));
    const neverReturned = Array.from({ length: 500 }, () => ({ x: 0, t_x: 0, T: 20, zbar: 0 }));
    expect(fitClv([...few, ...neverReturned])).toBeNull();
  });
});

describe("scripts/clv-fit.ts", () => {
  const run = promisify(execFile);
  const cli = (...args: string[]) => run("npx", ["tsx", "scripts/clv-fit.ts", ...args], { cwd: repoRoot });

  it("prints the fitted parameters as JSON", async () => {
    const { stdout } = await cli(CDNOW_CSV);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual(["bgnbd", "gammaGamma"]);
    expect(Object.keys(output.bgnbd)).toEqual(["r", "alpha", "a", "b", "logLikelihood"]);
    expect(Object.keys(output.gammaGamma)).toEqual(["p", "q", "v"]);
    withinRelative(output.bgnbd.r, 0.243, 0.01);
    withinRelative(output.gammaGamma.p, 6.25, 0.01);
  });

  it("exits 1 with a clear message when the file is missing", async () => {
    const missing = path.join(repoRoot, "no-such-customers.csv");
    await expect(cli(missing)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`file not found: ${missing}`),
    });
  });

  it("exits 1 naming the missing columns", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "clv-")), "bad.csv");
    writeFileSync(file, "x,T\n1,20\n");
    await expect(cli(file)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("missing column(s) t_x"),
    });
  });
});
