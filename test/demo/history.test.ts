// The demo shop's generated history (scripts/demo/history.ts): the same seed draws the same shop,
// and the shop has what the demo promises — repeat buyers and one-timers, a seasonal peak,
// refunds, cancellations, guests and test orders — in the bulk-export shape the import reads.
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../scripts/demo/history";

const end = new Date("2026-12-01T00:00:00Z");
const history = generateHistory({ customers: 2000, seed: 11, end });
type Line = {
  id: string;
  processedAt: string;
  cancelledAt: string | null;
  test: boolean;
  displayFinancialStatus: string;
  customer: { id: string } | null;
  refunds: { createdAt: string }[];
  subtotalPriceSet: { shopMoney: { amount: string } };
};
const orders = history.orders
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Line);

describe("the demo shop's history", () => {
  it("is the same for the same seed and size", () => {
    expect(generateHistory({ customers: 2000, seed: 11, end }).orders).toBe(history.orders);
    expect(generateHistory({ customers: 2000, seed: 12, end }).orders).not.toBe(history.orders);
  });

  it("spans 18 months before its end, ids ascending with time", () => {
    const times = orders.map((o) => Date.parse(o.processedAt));
    expect(Math.max(...times)).toBeLessThan(end.getTime());
    expect(Math.min(...times)).toBeGreaterThan(end.getTime() - 19 * 31 * 86_400_000);
    const ids = orders.map((o) => Number(o.id.split("/").pop()));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("has repeat buyers and one-time buyers, guests, refunds, cancellations and test orders", () => {
    const perCustomer = new Map<string, number>();
    for (const o of orders) if (o.customer) perCustomer.set(o.customer.id, (perCustomer.get(o.customer.id) ?? 0) + 1);
    const counts = [...perCustomer.values()];
    expect(perCustomer.size).toBe(2000);
    expect(counts.filter((c) => c === 1).length / counts.length).toBeGreaterThan(0.4);
    expect(counts.filter((c) => c >= 3).length / counts.length).toBeGreaterThan(0.1);
    const share = (test: (o: Line) => boolean) => orders.filter(test).length / orders.length;
    expect(share((o) => o.customer === null)).toBeGreaterThan(0.05);
    expect(share((o) => o.refunds.length > 0)).toBeGreaterThan(0.03);
    expect(share((o) => o.cancelledAt !== null)).toBeGreaterThan(0.01);
    expect(orders.some((o) => o.test)).toBe(true);
    for (const o of orders.filter((o) => o.refunds.length > 0)) {
      expect(Date.parse(o.refunds[0].createdAt)).toBeGreaterThan(Date.parse(o.processedAt));
      expect(o.displayFinancialStatus).toMatch(/REFUNDED/);
    }
  });

  it("peaks in late November against the months around it", () => {
    const inWindow = (from: string, to: string) => orders.filter((o) => o.processedAt >= from && o.processedAt < to).length;
    // The same shop a year apart grows, so compare the peak fortnight with the fortnights beside it.
    const peak = inWindow("2025-11-20", "2025-12-04");
    const before = inWindow("2025-10-23", "2025-11-06");
    const after = inWindow("2025-12-18", "2026-01-01");
    expect(peak).toBeGreaterThan(1.3 * before);
    expect(peak).toBeGreaterThan(1.3 * after);
  });
});
