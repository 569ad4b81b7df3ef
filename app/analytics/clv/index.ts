/**
 * Customer lifetime value from BG/NBD (how many purchases) × Gamma-Gamma
 * (how much per purchase). `fitClv` returns null whenever the models should
 * not be trusted, so callers fall back to the textbook CLV formula.
 */
import { expectedPurchases, fitBgNbd, FitDidNotConverge, type BgNbdFit, type PurchaseHistory } from "./bgnbd";
import { expectedAverageSpend, fitGammaGamma, type GammaGammaParams } from "./gamma-gamma";

export interface CustomerSummary extends PurchaseHistory {
  /** Mean value of the repeat purchases; ignored when x = 0. */
  zbar: number;
}

export interface ClvParams {
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaParams;
}

/** Below this many repeat customers the dropout and spend parameters are too noisy to use. */
export const MIN_REPEAT_CUSTOMERS_TO_FIT = 30;

export function fitClv(customers: CustomerSummary[]): ClvParams | null {
  const repeatCustomers = customers.filter((c) => c.x > 0 && c.zbar > 0).length;
  if (repeatCustomers < MIN_REPEAT_CUSTOMERS_TO_FIT) return null;
  try {
    const params = { bgnbd: fitBgNbd(customers), gammaGamma: fitGammaGamma(customers) };
    // q ≤ 1 means the population mean spend is infinite, so spend predictions are meaningless.
    return params.gammaGamma.q > 1 ? params : null;
  } catch (error) {
    if (error instanceof FitDidNotConverge) return null;
    throw error;
  }
}

/**
 * Expected revenue from the customer over the next `horizonPeriods` periods.
 * Undiscounted: a plain sum of expected spend, so it overstates value for long
 * horizons compared with a discounted CLV.
 */
export function predictedClv(params: ClvParams, customer: CustomerSummary, horizonPeriods: number): number {
  const { x, t_x, T, zbar } = customer;
  return expectedPurchases(params.bgnbd, horizonPeriods, x, t_x, T) * expectedAverageSpend(params.gammaGamma, x, zbar);
}

export { expectedPurchases, probabilityAlive } from "./bgnbd";
export { expectedAverageSpend } from "./gamma-gamma";
