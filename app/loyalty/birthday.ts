// Birthday rules as plain functions (docs/loyalty-rules.md): which dates are birthdays, the day a
// birthday falls on in a given year, and which year's bonus is due on a given day.
import type { Day } from "../analytics/time";

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export type BirthdayCheck = { ok: true; birthday: string } | { ok: false; reason: string };

/** "MM-DD" with a real month and day (29 February included: it comes round every four years). */
export function checkBirthday(value: unknown): BirthdayCheck {
  if (typeof value !== "string" || !/^\d{2}-\d{2}$/.test(value))
    return { ok: false, reason: "Give the birthday as MM-DD, for example 04-23." };
  const [month, day] = value.split("-").map(Number);
  if (month < 1 || month > 12) return { ok: false, reason: `There is no month ${month}: use 01 to 12.` };
  if (day < 1 || day > DAYS_IN_MONTH[month - 1]) return { ok: false, reason: `Month ${month} has no day ${day}.` };
  return { ok: true, birthday: value };
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The day a birthday falls on in `year`: 29 February is 28 February in other years. */
export function birthdayIn(year: number, birthday: string): Day {
  const md = birthday === "02-29" && !isLeap(year) ? "02-28" : birthday;
  return `${String(year).padStart(4, "0")}-${md}`;
}

/** The year whose bonus is due on `today`, or null: on or after the day, not for a day given on or after it. */
export function birthdayYearDue(today: Day, birthday: string, setOn: Day | null): number | null {
  const year = Number(today.slice(0, 4));
  const day = birthdayIn(year, birthday);
  if (today < day) return null;
  if (setOn !== null && setOn >= day) return null;
  return year;
}
