// RFM quintile scores against their definition, computed the slow way: a customer's score is
// 1 + ⌊5 × (number of customers strictly worse) / n⌋, capped at 5 — ties share a score.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quintileScores } from "../../app/analytics/rfm";

const byDefinition = (values: number[]) =>
  values.map((v) => 1 + Math.min(4, Math.floor((5 * values.filter((w) => w < v).length) / values.length)));

describe("quintileScores", () => {
  it("equals the definition on any values, ties and negatives included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })), { maxLength: 60 }),
        (values) => {
          expect([...quintileScores(values)]).toEqual(byDefinition(values));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("gives the best fifth 5 and everyone tied the same score", () => {
    expect([...quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...quintileScores([7, 7, 7])]).toEqual([1, 1, 1]);
    expect([...quintileScores(new Float64Array(0))]).toEqual([]);
  });
});
