// Earning and clawback rules of docs/loyalty-rules.md, as plain functions.
import type { Program, Tier } from "./program";

/** Points a paid order earns: floor(subtotal × points per unit × tier multiplier). */
export function pointsForOrder(
  order: { subtotalCents: number; test: boolean; customerShopifyId: string | null },
  program: Pick<Program, "pointsPerUnit">,
  tier: Pick<Tier, "multiplier"> | null,
): number {
  if (order.test || !order.customerShopifyId || order.subtotalCents <= 0) return 0;
  // Integer arithmetic in millis so 19.99 × 1 is 19, never 19.989999; BigInt because the product
  // of the largest subtotal, rate and multiplier passes 2^53.
  const rateMillis = BigInt(Math.round(program.pointsPerUnit * 1000));
  const multiplierMillis = BigInt(Math.round((tier?.multiplier ?? 1) * 1000));
  return Number((BigInt(order.subtotalCents) * rateMillis * multiplierMillis) / 100_000_000n);
}

/**
 * How many of an order's earned points the refunds so far should have taken back, in total:
 * proportional to the refunded share of the subtotal, never more than the order earned.
 * Working from cumulative totals makes partial refunds that sum to the whole take back exactly all.
 */
export function clawbackTarget(earned: number, subtotalCents: number, refundedCents: number): number {
  if (earned <= 0 || refundedCents <= 0) return 0;
  if (subtotalCents <= 0 || refundedCents >= subtotalCents) return earned;
  return Math.min(earned, Math.floor((earned * refundedCents) / subtotalCents));
}

/** A clawback never takes a balance below zero unless the owner opted in; the rest is a shortfall. */
export function boundedClawback(wanted: number, balance: number, allowNegative: boolean) {
  const taken = allowNegative ? wanted : Math.max(0, Math.min(wanted, balance));
  return { delta: -taken, shortfall: wanted - taken };
}

/** The n in "nth": 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th");
  return `${n}${suffix}`;
}
