import { describe, expect, it } from "vitest";
import { boundedClawback, clawbackTarget, pointsForOrder } from "../../app/loyalty/earning";
import { toCents } from "../../app/loyalty/money";
import { DEFAULT_PROGRAM, tierForSpend } from "../../app/loyalty/program";

const order = (subtotal: string, extra: Partial<{ test: boolean; customerShopifyId: string | null }> = {}) => ({
  subtotalCents: toCents(subtotal),
  test: false,
  customerShopifyId: "1",
  ...extra,
});

describe("money", () => {
  it("parses Shopify decimal strings exactly", () => {
    expect(toCents("123.45")).toBe(12345);
    expect(toCents("7")).toBe(700);
    expect(toCents("0.1")).toBe(10);
    expect(toCents("19.999")).toBe(2000); // three-decimal currencies round half up to cents
    expect(toCents(19.99)).toBe(1999);
    expect(() => toCents("12,50")).toThrow(/not a money amount/);
  });
});

describe("points for an order", () => {
  it("floors subtotal × rate × tier multiplier without float drift", () => {
    expect(pointsForOrder(order("19.99"), DEFAULT_PROGRAM, null)).toBe(19);
    expect(pointsForOrder(order("0.29"), { pointsPerUnit: 100 }, null)).toBe(29); // 0.29 × 100 = 28.999… in floats
    expect(pointsForOrder(order("123.45"), { pointsPerUnit: 2 }, { multiplier: 1.5 })).toBe(370); // 370.35
    expect(pointsForOrder(order("10.00"), { pointsPerUnit: 0.5 }, null)).toBe(5);
  });

  it("gives nothing to test orders, guests and zero or negative subtotals", () => {
    expect(pointsForOrder(order("50.00", { test: true }), DEFAULT_PROGRAM, null)).toBe(0);
    expect(pointsForOrder(order("50.00", { customerShopifyId: null }), DEFAULT_PROGRAM, null)).toBe(0);
    expect(pointsForOrder(order("0.00"), DEFAULT_PROGRAM, null)).toBe(0);
  });
});

describe("clawbacks", () => {
  it("is proportional to the cumulative refunded share and capped at what was earned", () => {
    expect(clawbackTarget(123, 12345, 2345)).toBe(23); // 123 × 23.45 / 123.45 = 23.36
    expect(clawbackTarget(123, 12345, 12345)).toBe(123);
    expect(clawbackTarget(123, 12345, 20000)).toBe(123); // refund above subtotal (shipping refunded too)
    expect(clawbackTarget(0, 12345, 5000)).toBe(0);
  });

  it("stops at zero balance and records the shortfall unless negatives are allowed", () => {
    expect(boundedClawback(30, 100, false)).toEqual({ delta: -30, shortfall: 0 });
    expect(boundedClawback(30, 10, false)).toEqual({ delta: -10, shortfall: 20 });
    expect(boundedClawback(30, 10, true)).toEqual({ delta: -30, shortfall: 0 });
  });
});

describe("tiers", () => {
  const program = {
    ...DEFAULT_PROGRAM,
    tiersEnabled: true,
    tiers: [
      { name: "Silver", minSpendCents: 20_000, multiplier: 1.25 },
      { name: "Gold", minSpendCents: 50_000, multiplier: 1.5 },
    ],
  };
  it("picks the highest tier the rolling spend reaches, none when tiers are off", () => {
    expect(tierForSpend(program, 19_999)).toBeNull();
    expect(tierForSpend(program, 20_000)?.name).toBe("Silver");
    expect(tierForSpend(program, 80_000)?.name).toBe("Gold");
    expect(tierForSpend(DEFAULT_PROGRAM, 80_000)).toBeNull();
  });
});
