// The packed order history's reader: the customers and their orders come back sorted whatever
// order the database grouped them in, cut at the instant asked for, with signed amounts read
// exactly; anything but an integer where one is due is an error, never a made-up order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCustomers } from "../../app/analytics/order-history.server";

describe("parseCustomers", () => {
  it("returns customers by id and each one's orders by time, with their revenue", () => {
    const packed = ["9=3000@30,1000@-10,2000@20", "2=5000@5", "4=4000@4,4000@40"].join(";");
    const history = parseCustomers(packed);
    expect([...history.ids]).toEqual([2, 4, 9]);
    expect([...history.start]).toEqual([0, 1, 3, 6]);
    expect([...history.at]).toEqual([5000, 4000, 4000, 1000, 2000, 3000]);
    expect([...history.revenueCents].slice(3)).toEqual([-10, 20, 30]);
    expect([...history.revenueCents].slice(1, 3).sort((a, b) => a - b)).toEqual([4, 40]);
    expect(parseCustomers("").ids.length).toBe(0);
  });

  it("reads any safe integers exactly, as Number would", () => {
    const safe = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), safe, safe, (id, at, revenue) => {
        const history = parseCustomers(`${id}=${at}@${revenue}`);
        expect([history.ids[0], history.at[0], history.revenueCents[0]]).toEqual([id, at, revenue]);
      }),
    );
  });

  it("keeps only the orders before the given instant, and only customers left with one", () => {
    const history = parseCustomers("1=100@1,300@3;2=400@4;3=200@2", 300);
    expect([...history.ids]).toEqual([1, 3]);
    expect([...history.start]).toEqual([0, 1, 2]);
    expect([...history.at]).toEqual([100, 200]);
  });

  it("refuses what it cannot read rather than counting an order at a made-up time or amount", () => {
    expect(() => parseCustomers("3=yesterday@100")).toThrow(/unreadable number "yesterday/);
    expect(() => parseCustomers("3=100@12.5")).toThrow(/unreadable number/);
    expect(() => parseCustomers("3=100@")).toThrow(/unreadable number/);
    expect(() => parseCustomers("3=100@-")).toThrow(/unreadable number/);
  });
});
