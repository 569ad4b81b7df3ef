// Numbers, money, points and dates as the admin shows them, in the merchant's admin locale
// (`?locale=` on every embedded page, read by adminLocale in request.ts) and the shop's currency
// and time zone. One module so that every page writes "1,250 points" and "$5.00" the same way.
// Runs in the browser and on the server: Intl only.

export type AdminFormatOptions = { locale: string; currency: string; timeZone?: string };

function moneyFormat(locale: string, currency: string, extra: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency, ...extra });
  } catch {
    return new Intl.NumberFormat(locale, { style: "currency", currency: "USD", ...extra });
  }
}

function validZone(locale: string, timeZone: string): string {
  try {
    new Intl.DateTimeFormat(locale, { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

export function adminFormat({ locale, currency, timeZone = "UTC" }: AdminFormatOptions) {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const signed = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: "exceptZero" });
  const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percents = [0, 1].map(
    (digits) => new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }),
  );
  const money = moneyFormat(locale, currency);
  const shopCurrency = money.resolvedOptions().currency ?? currency;
  const wholeMoney = moneyFormat(locale, shopCurrency, { minimumFractionDigits: 0 });
  const zone = validZone(locale, timeZone);
  const month = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" });
  const calendarDay = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
  const monthDay = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: zone });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: zone });

  return {
    locale,
    currency: shopCurrency,
    /** The shop currency's symbol, for input prefixes ("$"). */
    currencySymbol: money.formatToParts(0).find((p) => p.type === "currency")?.value ?? shopCurrency,
    number: (v: number) => number.format(v),
    /** +120, −30: points added or taken. */
    signed: (v: number) => signed.format(v),
    decimal: (v: number) => decimal.format(v),
    /** A share (0.25 → "25.0%"); one decimal unless told otherwise. */
    percent: (v: number, digits: 0 | 1 = 1) => percents[digits].format(v),
    /** An amount in currency units (the analytics' figures). */
    money: (units: number) => money.format(units),
    /** Integer cents in the shop currency, or in `code` when an order was in another currency. */
    cents: (cents: number, code?: string) =>
      (code && code !== shopCurrency ? moneyFormat(locale, code) : money).format(cents / 100),
    /** $5 off, $5.50 off: whole amounts without the cents, as merchants write rewards. */
    shortCents: (cents: number) => (cents % 100 === 0 ? wholeMoney : money).format(cents / 100),
    points: (n: number) => `${number.format(n)} ${n === 1 ? "point" : "points"}`,
    /** "2026-03" or "2026-03-01" → "Mar 2026". */
    month: (day: string) => month.format(new Date(`${day.slice(0, 7)}-01T00:00:00Z`)),
    /** A calendar day "2026-03-05" (already in the shop's zone) → "Mar 5, 2026". */
    calendarDay: (day: string) => calendarDay.format(new Date(`${day}T00:00:00Z`)),
    /** A birthday "02-29" → "Feb 29" (placed in 2000, a leap year, so 29 February exists). */
    monthDay: (md: string) => monthDay.format(new Date(`2000-${md}T00:00:00Z`)),
    /** An instant, as the day it was in the shop's time zone. */
    date: (iso: string) => date.format(new Date(iso)),
    // Node's and the browser's ICU differ on the space before AM/PM (U+202F or not): one form for both.
    dateTime: (iso: string) => dateTime.format(new Date(iso)).replace(/[\u202f\u00a0]/g, " "),
  };
}

export type AdminFormat = ReturnType<typeof adminFormat>;
