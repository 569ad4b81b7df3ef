// Calendar days in a shop's IANA time zone, and the UTC instants where they start.
// A period is [from, to) of local days: it starts at local midnight of `from` and ends at local
// midnight of `to`, whatever the UTC offset is on each side (DST changes included). Only Intl.

/** A calendar day, `YYYY-MM-DD`. */
export type Day = string;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function parts(day: Day): [number, number, number] {
  const match = DAY_PATTERN.exec(day);
  if (!match) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** True for a real calendar day (rejects 2026-02-30 as well as malformed strings). */
export function isDay(value: string): boolean {
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const utcDay = (ms: number): Day => new Date(ms).toISOString().slice(0, 10);
const dayNumber = (day: Day) => {
  const [y, m, d] = parts(day);
  return Date.UTC(y, m - 1, d) / DAY_MS;
};

export const addDays = (day: Day, days: number): Day => utcDay((dayNumber(day) + days) * DAY_MS);
export const daysBetween = (from: Day, to: Day): number => dayNumber(to) - dayNumber(from);

/** The first day of the month `months` after the month of `day`. */
export function addMonths(day: Day, months: number): Day {
  const [y, m] = parts(day);
  return utcDay(Date.UTC(y, m - 1 + months, 1));
}
export const monthOf = (day: Day): Day => `${day.slice(0, 7)}-01`;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall-clock time in `zone` at `ms`, read back as if it were UTC (ms precision dropped to s). */
function wallClock(ms: number, zone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}

/** UTC offset of `zone` at instant `ms`, in ms (local − UTC). */
export function zoneOffset(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClock(whole, zone) - whole;
}

/**
 * The instant local midnight of `day` happens in `zone`. Where a DST jump skips midnight
 * (clocks go 00:00 → 01:00), the day starts at the first instant that exists: the jump.
 */
export function startOfDay(day: Day, zone: string): Date {
  const localMidnight = dayNumber(day) * DAY_MS;
  let instant = localMidnight - zoneOffset(localMidnight, zone);
  // The offset at the guess may differ from the offset at the answer (a change within a day).
  const corrected = localMidnight - zoneOffset(instant, zone);
  if (corrected !== instant) {
    instant = corrected;
    if (wallClock(instant, zone) !== localMidnight) {
      // Midnight does not exist that day: the day begins at the transition, found by bisection.
      let [lo, hi] = [Math.min(instant, corrected) - DAY_MS / 4, Math.max(instant, corrected) + DAY_MS / 4];
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2);
        if (wallClock(mid, zone) >= localMidnight) hi = mid;
        else lo = mid;
      }
      instant = hi;
    }
  }
  return new Date(instant);
}

/** The local calendar day in `zone` at instant `date`. */
export function dayOf(date: Date, zone: string): Day {
  return utcDay(wallClock(date.getTime(), zone));
}

/** Days since 1970-01-01 of the local calendar day in `zone` at instant `date` (consecutive across DST changes). */
export const localDayNumber = (date: Date, zone: string): number => dayNumber(dayOf(date, zone));

/** Today in `zone`. */
export const today = (zone: string, now = new Date()): Day => dayOf(now, zone);
