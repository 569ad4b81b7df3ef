// Money arrives from Shopify as decimal strings ("123.45"). We keep integer hundredths ("cents")
// of the shop currency: exact sums, no binary floats. Currencies with three decimals lose the
// third, which no earning or KPI rule needs.

/**
 * The largest amount Regulars accepts in any one money field: 10,000,000.00 in shop currency.
 * Amounts are integer cents in 32-bit columns on PostgreSQL (at most 21,474,836.47); a round
 * bound below that leaves room for an order's refunds to add up. See
 * docs/decisions/0009-hostile-input.md for the currencies where this could bite.
 */
export const MAX_MONEY_CENTS = 1_000_000_000;

/**
 * "123.45" → 12345; "7" → 700; "0.005" → 1 (half-up). Exact for up to 15 integer digits; throws on
 * anything longer or that is not a decimal.
 */
export function toCents(amount: string | number): number {
  const text = typeof amount === "number" ? amount.toFixed(3) : amount.trim();
  const match = /^(-)?(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a money amount: ${JSON.stringify(amount)}`);
  const [, minus, units, fraction = ""] = match;
  const padded = (fraction + "000").slice(0, 3);
  const thousandths = Number(units) * 1000 + Number(padded);
  const cents = Math.floor((thousandths + 5) / 10);
  return minus ? -cents : cents;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
