// The CLV models' inputs from raw orders, built as Fader, Hardie & Lee build them: one transaction
// per local calendar day, weeks from the first purchase's day, x = repeat days, spend = the mean
// of the repeat days. Pure functions; the SQL that feeds them is held to them in scan.test.ts.
import { describe, expect, it } from "vitest";
import { customerDays, summarize } from "../../app/analytics/clv/transactions";
import { localDayOf, zoneOffsets } from "../../app/analytics/local-days";
import { localDayNumber, startOfDay } from "../../app/analytics/time";

const ZONE = "America/Los_Angeles";
/** Orders given as local wall-clock times in ZONE, spend in cents, grouped the app's way. */
function summaryOf(orders: [string, number][], lastObservedDay: string) {
  const purchases = orders.map(([local, cents]) => ({ day: localDayNumber(wallClock(local), ZONE), spend: cents }));
  return summarize(customerDays(purchases)!, localDayNumber(wallClock(`${lastObservedDay}T12:00`), ZONE), 100);
}
/** "YYYY-MM-DDTHH:MM" in ZONE as an instant (no DST day in these examples). */
const wallClock = (local: string) => {
  const [day, time] = local.split("T");
  const [h, m] = time.split(":").map(Number);
  return new Date(startOfDay(day, ZONE).getTime() + (h * 60 + m) * 60_000);
};

describe("FHL inputs from orders", () => {
  it("merges orders on one local day into one transaction and sums their spend", () => {
    // 1 March: 20.00; 8 March: 15.00 + 5.00 (two orders) → x = 1, zbar = 20.00, t_x = 1 week.
    const s = summaryOf(
      [
        ["2026-03-01T10:00", 2000],
        ["2026-03-08T09:00", 1500],
        ["2026-03-08T18:45", 500],
      ],
      "2026-03-29",
    );
    expect(s).toEqual({ x: 1, t_x: 1, T: 4, zbar: 20 });
  });

  it("measures age and recency in whole days from the first purchase's day, not its time", () => {
    // First order late on 1 March, repeat early on 4 March: 3 days, though under 2.5 × 24 h apart.
    const s = summaryOf(
      [
        ["2026-03-01T23:30", 1000],
        ["2026-03-04T00:15", 1000],
      ],
      "2026-03-15",
    );
    expect(s.t_x).toBe(3 / 7);
    expect(s.T).toBe(14 / 7);
  });

  it("averages spend over the repeat transactions only, never the first", () => {
    // First day 100.00 (two orders), then 10.00 and 30.00 on two later days → zbar = 20.00.
    const s = summaryOf(
      [
        ["2026-03-01T10:00", 6000],
        ["2026-03-01T11:00", 4000],
        ["2026-03-05T10:00", 1000],
        ["2026-03-20T10:00", 3000],
      ],
      "2026-03-31",
    );
    expect(s).toEqual({ x: 2, t_x: 19 / 7, T: 30 / 7, zbar: 20 });
  });

  it("gives a customer with no repeat day x = 0, t_x = 0 and no spend, however many orders", () => {
    const s = summaryOf(
      [
        ["2026-03-01T08:00", 2500],
        ["2026-03-01T21:00", 7500],
      ],
      "2026-03-08",
    );
    expect(s).toEqual({ x: 0, t_x: 0, T: 1, zbar: 0 });
  });

  it("counts a customer first seen on the last observed day as age 0", () => {
    expect(summaryOf([["2026-03-08T08:00", 2500]], "2026-03-08")).toEqual({ x: 0, t_x: 0, T: 0, zbar: 0 });
  });

  it("reads the day in the shop's time zone: one local day across two UTC days is one transaction", () => {
    const evening = wallClock("2026-03-10T20:00"); // 2026-03-11 03:00 UTC
    const morning = wallClock("2026-03-10T07:00"); // 2026-03-10 14:00 UTC
    expect(evening.toISOString().slice(0, 10)).not.toBe(morning.toISOString().slice(0, 10));
    const s = summaryOf(
      [
        ["2026-03-01T12:00", 1000],
        ["2026-03-10T07:00", 1000],
        ["2026-03-10T20:00", 1000],
      ],
      "2026-03-15",
    );
    expect(s).toMatchObject({ x: 1, zbar: 20 });
  });

  it("and two local days within one UTC day are two transactions", () => {
    const late = wallClock("2026-03-10T22:00"); // 2026-03-11 05:00 UTC
    const early = wallClock("2026-03-11T06:00"); // 2026-03-11 13:00 UTC
    expect(late.toISOString().slice(0, 10)).toBe(early.toISOString().slice(0, 10));
    const s = summaryOf(
      [
        ["2026-03-01T12:00", 1000],
        ["2026-03-10T22:00", 1000],
        ["2026-03-11T06:00", 3000],
      ],
      "2026-03-15",
    );
    expect(s).toMatchObject({ x: 2, t_x: 10 / 7, zbar: 20 });
  });
});

describe("local day numbers from zone offsets (what the SQL computes)", () => {
  it("agree with Intl around every DST change of a year, to the second", () => {
    for (const zone of ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]) {
      const from = Date.parse("2025-01-01T00:00:00Z");
      const to = Date.parse("2026-01-01T00:00:00Z");
      const offsets = zoneOffsets(zone, from, to);
      for (let k = 1; k < offsets.starts.length; k++) {
        const change = offsets.starts[k];
        for (const at of [change - 3_600_000, change - 1000, change, change + 1000, change + 3_600_000]) {
          expect(localDayOf(at, offsets), `${zone} ${new Date(at).toISOString()}`).toBe(localDayNumber(new Date(at), zone));
        }
      }
      for (let at = from; at < to; at += 86_400_000 / 3) expect(localDayOf(at, offsets)).toBe(localDayNumber(new Date(at), zone));
      // New York, Berlin and Lord Howe (a 30-minute shift) change twice a year; Kolkata and UTC never.
      expect(offsets.starts.length - 1).toBe(["Asia/Kolkata", "UTC"].includes(zone) ? 0 : 2);
    }
  });
});
