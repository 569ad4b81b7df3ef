// The packed order history's reader: SQLite's timestamps read by arithmetic must equal Date.parse
// on every instant, odd forms must still be read, and the customers and their orders come back
// sorted whatever order the database grouped them in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { integerAt, isoMs, parseCustomers } from "../../app/analytics/order-history.server";

const prismaText = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

describe("isoMs", () => {
  it("equals Date.parse on Prisma's SQLite form for any instant from 1900 to 2200", () => {
    const from = Date.UTC(1900, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        expect(isoMs(prismaText(ms))).toBe(ms);
      }),
      { numRuns: 20_000 },
    );
    // Leap days, month and year ends.
    for (const text of ["2024-02-29T23:59:59.999+00:00", "2000-03-01T00:00:00.000+00:00", "1999-12-31T23:59:59.999+00:00"]) {
      expect(isoMs(text)).toBe(Date.parse(text));
    }
  });

  it("reads other forms through Date.parse, and a slice of a longer text", () => {
    expect(isoMs("2026-03-08T07:00:00Z")).toBe(Date.UTC(2026, 2, 8, 7));
    expect(isoMs("2026-03-08T02:00:00.000-05:00")).toBe(Date.UTC(2026, 2, 8, 7));
    expect(isoMs("2026-03-08 07:00:00")).toBe(Date.parse("2026-03-08 07:00:00"));
    const text = `7=${prismaText(1_700_000_000_123)}@100`;
    expect(isoMs(text, 2, text.indexOf("@"))).toBe(1_700_000_000_123);
    expect(isoMs("not a date")).toBeNaN();
  });
});

describe("integerAt", () => {
  it("reads signed integers in place, like Number on the slice", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.string({ maxLength: 3 }), (n, pad) => {
        const text = `${pad}${n}${pad}`;
        expect(integerAt(text, pad.length, pad.length + String(n).length)).toBe(n);
      }),
    );
    expect(integerAt("12.5", 0, 4)).toBe(12.5);
    expect(integerAt("-", 0, 1)).toBeNaN();
    expect(integerAt("x", 0, 1)).toBeNaN();
  });
});

describe("parseCustomers", () => {
  it("returns customers by id and each one's orders by time, with their revenue", () => {
    const t = (ms: number) => prismaText(ms);
    const packed = [`9=${t(3000)}@30,${t(1000)}@-10,${t(2000)}@20`, `2=${t(5000)}@5`, `4=${t(4000)}@4,${t(4000)}@40`].join(";");
    const history = parseCustomers(packed, "sqlite");
    expect([...history.ids]).toEqual([2, 4, 9]);
    expect([...history.start]).toEqual([0, 1, 3, 6]);
    expect([...history.at]).toEqual([5000, 4000, 4000, 1000, 2000, 3000]);
    expect([...history.revenueCents].slice(3)).toEqual([-10, 20, 30]);
    expect([...history.revenueCents].slice(1, 3).sort((a, b) => a - b)).toEqual([4, 40]);
  });

  it("reads PostgreSQL's epoch milliseconds, and an empty shop", () => {
    const history = parseCustomers("3=1700000000000@150,1600000000000@-250", "postgres");
    expect([...history.at]).toEqual([1_600_000_000_000, 1_700_000_000_000]);
    expect([...history.revenueCents]).toEqual([-250, 150]);
    expect(parseCustomers("", "sqlite").ids.length).toBe(0);
  });

  it("keeps only the orders before the given instant, and only customers left with one", () => {
    const history = parseCustomers("1=100@1,300@3;2=400@4;3=200@2", "postgres", 300);
    expect([...history.ids]).toEqual([1, 3]);
    expect([...history.start]).toEqual([0, 1, 2]);
    expect([...history.at]).toEqual([100, 200]);
  });

  it("refuses a timestamp it cannot read rather than counting it at the epoch", () => {
    expect(() => parseCustomers("3=yesterday@100", "sqlite")).toThrow(/unreadable timestamp "yesterday"/);
  });
});
