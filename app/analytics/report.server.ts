// What /app/api/kpis and the dashboard show: the KPIs of docs/kpis.md for [from, to) in the shop's
// time zone with the previous period of equal length, monthly trends, cohorts, RFM segments,
// at-risk customers and predicted CLV. Cached per shop and range until the shop's data changes.
import { db as defaultDb, dialect, type Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { cached, dataVersion } from "./cache.server";
import {
  atRiskCustomers,
  AT_RISK_P_ALIVE,
  customerValues,
  segmentSummaries,
  type AtRiskCustomer,
  type CustomerValues,
  type SegmentSummary,
} from "./customer-value.server";
import { averageLifespanYears, ifDefined, periodRates, ratio } from "./formulas";
import { scanEnd, scanOf, totalsOf, type CustomerCounts, type OrderTotals, type Window } from "./kpis.server";
import { orderHistory } from "./order-history.server";
import { money, money2, programMetrics, type ProgramMetrics } from "./program.server";
import { addDays, addMonths, daysBetween, isDay, isTimeZone, monthOf, startOfDay, today, type Day } from "./time";
import { cohortMatrix, monthlySeries, type Cohort, type Months, type MonthPoint } from "./trends";
import { mark, timed } from "./profile";
import { transactionsOf } from "./transactions.server";

export interface Range {
  from: Day;
  to: Day;
}

/**
 * The KPIs of one period. Rates are fractions in [0, 1]; money is in shop currency units, 2
 * decimals. A rate or average whose denominator is zero is null (undefined, not 0): retention and
 * churn without customers active at the start, AOV without orders, and so on.
 */
export interface PeriodKpis {
  from: Day;
  to: Day;
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  retainedCustomers: number;
  reactivatedCustomers: number;
  retentionRate: number | null;
  churnRate: number | null;
  repeatPurchaseRate: number | null;
  returningCustomerRate: number | null;
  orders: number;
  revenue: number;
  averageOrderValue: number | null;
  purchaseFrequency: number | null;
  /** AOV × purchases per customer per year × average lifespan (years), over the 12 months to `to`; null without orders in them. */
  customerLifetimeValue: number | null;
  customerLifetimeValueInputs: {
    averageOrderValue: number | null;
    purchasesPerYear: number | null;
    averageLifespanYears: number;
    lifespanBasis: "1 / annual churn" | "capped" | "assumed";
  };
  program: ProgramMetrics;
}

export interface PredictedClv {
  /** Mean predicted revenue per customer over the next 12 months, currency units; null without customers (or, for the textbook estimate, without orders in the last 12 months). */
  average: number | null;
  /** "bgnbd-gamma-gamma": fitted on this shop; "textbook": too few repeat customers, one year of the textbook CLV. */
  model: "bgnbd-gamma-gamma" | "textbook";
  horizonMonths: 12;
  customers: number;
  repeatCustomers: number;
  /** Predicted as of this instant: the end of the period, or now if that is earlier. */
  asOf: string;
  params: { r: number; alpha: number; a: number; b: number; p: number; q: number; v: number } | null;
}

export interface KpiReport extends PeriodKpis {
  shop: string;
  timezone: string;
  currency: string;
  activeWindowDays: number;
  predictedClv: PredictedClv;
  /** The previous period of equal length, [from − length, from). */
  previous: PeriodKpis;
}

export interface DashboardData {
  kpis: KpiReport;
  series: MonthPoint[];
  cohorts: Cohort[];
  segments: SegmentSummary[];
  atRisk: { threshold: number; total: number; customers: AtRiskCustomer[] };
  /** Nothing recorded yet: no orders and no points. */
  empty: boolean;
}

export class InvalidRange extends Error {}

/** Checks a range of local days: real days, `to` after `from`, at most ten years. */
export function validateRange(range: Range): Range {
  if (!isDay(range.from)) throw new InvalidRange(`from must be a date YYYY-MM-DD, got "${range.from}"`);
  if (!isDay(range.to)) throw new InvalidRange(`to must be a date YYYY-MM-DD, got "${range.to}"`);
  const days = daysBetween(range.from, range.to);
  if (days <= 0) throw new InvalidRange(`to (${range.to}) must be after from (${range.from}): the period is [from, to)`);
  if (days > 3660) throw new InvalidRange("the period may be at most ten years long");
  return range;
}

interface ShopFacts {
  timezone: string;
  currency: string;
  activeWindowDays: number;
}

async function shopFacts(db: Db, shop: string): Promise<ShopFacts> {
  const [row] = await query<{ timezone: string | null; currency: string | null; activeWindowDays: unknown }>(
    db,
    `SELECT s."timezone", s."currency", p."activeWindowDays"
     FROM (SELECT CAST(? AS TEXT) AS "domain") d
     LEFT JOIN "Shop" s ON s."domain" = d."domain"
     LEFT JOIN "ProgramSettings" p ON p."shop" = d."domain"`,
    [shop],
  );
  const timezone = row?.timezone && isTimeZone(row.timezone) ? row.timezone : "UTC";
  const window = toNumber(row?.activeWindowDays) || 365;
  return { timezone, currency: row?.currency ?? "USD", activeWindowDays: Math.max(1, window) };
}

function windowOf(range: Range, facts: ShopFacts): Window {
  const W = facts.activeWindowDays;
  const at = (day: Day) => startOfDay(day, facts.timezone);
  return {
    from: at(range.from),
    to: at(range.to),
    fromWindowStart: at(addDays(range.from, -W)),
    toWindowStart: at(addDays(range.to, -W)),
  };
}

function previousRange(range: Range): Range {
  const length = daysBetween(range.from, range.to);
  return { from: addDays(range.from, -length), to: range.from };
}

async function computeReport(db: Db, shop: string, range: Range, facts: ShopFacts, now: Date, months?: Months) {
  const previous = previousRange(range);
  const annual: Range = { from: addDays(range.to, -365), to: range.to };
  const annualPrevious: Range = { from: addDays(previous.to, -365), to: previous.to };
  const ranges = [range, previous, annual, annualPrevious];
  const windows = ranges.map((r) => windowOf(r, facts));
  const asOf = new Date(Math.min(windows[0].to.getTime(), now.getTime()));
  // One read of the shop's orders, then every figure in memory. On PostgreSQL the ledger's
  // program metrics run beside it; on SQLite one after the other on the one connection.
  const guestsFrom = new Date(Math.min(...windows.map((w) => w.from.getTime()), months?.boundaries[0].getTime() ?? Infinity));
  const reading = timed("orderHistory", () =>
    orderHistory(db, dialect(), shop, scanEnd(windows, asOf), { guestsFrom, members: true }),
  );
  const computing = reading.then((history) => {
    const started = performance.now();
    const totals = totalsOf(history, windows);
    mark("orderTotals", started);
    return totals;
  });
  const programming = timed("programMetrics", () => programMetrics(db, shop, windows.slice(0, 2), computing));
  // Awaited below, or not at all when the read fails: never an unhandled rejection.
  for (const pending of [computing, programming]) pending.catch(() => {});
  const history = await reading;
  let started = performance.now();
  const scan = scanOf(history, windows, asOf, months?.boundaries);
  mark("customerScan", started);
  started = performance.now();
  const transactions = transactionsOf(history, facts.timezone, asOf);
  mark("customerTransactions", started);
  const [totals, program] = await Promise.all([computing, programming]);
  const counts = scan.counts.map((c, i) => withCustomerOrders(c, totals[i]));
  // The textbook year value (only used when the models cannot be fitted), from the trailing year.
  const textbookYear = () => {
    const { averageOrderValueCents: aov, purchaseFrequency } = periodRates(counts[2], totals[2]);
    return aov === null || purchaseFrequency === null ? null : money(aov) * purchaseFrequency;
  };
  const values = customerValues(scan, transactions, asOf, textbookYear);

  const period = (i: 0 | 1): PeriodKpis => {
    const c = counts[i];
    const o = totals[i];
    const rates = periodRates(c, o);
    const a = i === 0 ? 2 : 3;
    const annualRates = periodRates(counts[a], totals[a]);
    const lifespan = averageLifespanYears(counts[a]);
    const annualAov = ifDefined(annualRates.averageOrderValueCents, money);
    const annualFrequency = annualRates.purchaseFrequency;
    return {
      from: ranges[i].from,
      to: ranges[i].to,
      customersAtStart: c.customersAtStart,
      customersAtEnd: c.customersAtEnd,
      newCustomers: c.newCustomers,
      retainedCustomers: c.retainedCustomers,
      reactivatedCustomers: c.reactivatedCustomers,
      retentionRate: rates.retentionRate,
      churnRate: rates.churnRate,
      repeatPurchaseRate: rates.repeatPurchaseRate,
      returningCustomerRate: rates.returningCustomerRate,
      orders: o.orders,
      revenue: money(o.revenueCents),
      averageOrderValue: ifDefined(rates.averageOrderValueCents, money),
      purchaseFrequency: rates.purchaseFrequency,
      customerLifetimeValue:
        annualRates.averageOrderValueCents === null || annualFrequency === null
          ? null
          : money2((annualRates.averageOrderValueCents / 100) * annualFrequency * lifespan.years),
      customerLifetimeValueInputs: {
        averageOrderValue: annualAov,
        purchasesPerYear: annualFrequency,
        averageLifespanYears: lifespan.years,
        lifespanBasis: lifespan.basis,
      },
      program: program[i],
    };
  };
  const current = period(0);
  let clvSum = 0;
  for (let i = 0; i < values.clv.length; i++) clvSum += values.clv[i];
  const predictedClv: PredictedClv = {
    average: values.model === "textbook" && values.textbookUndefined ? null : ifDefined(ratio(clvSum, values.clv.length), money2),
    model: values.model,
    horizonMonths: 12,
    customers: values.clv.length,
    repeatCustomers: values.repeatCustomers,
    asOf: asOf.toISOString(),
    params: values.params
      ? (({ bgnbd: { r, alpha, a, b }, gammaGamma: { p, q, v } }) => ({ r, alpha, a, b, p, q, v }))(values.params)
      : null,
  };
  const kpis: KpiReport = {
    shop,
    timezone: facts.timezone,
    currency: facts.currency,
    activeWindowDays: facts.activeWindowDays,
    ...current,
    predictedClv,
    previous: period(1),
  };
  const trends = months &&
    scan.months && {
      series: monthlySeries(months, values, scan.months),
      cohorts: cohortMatrix(months, values, scan.months),
    };
  return { kpis, values, windows, trends };
}

/** The scan cannot count orders (it groups by customer); `orderTotals` does. */
function withCustomerOrders(c: CustomerCounts, o: OrderTotals): CustomerCounts {
  return { ...c, customerOrders: o.customerOrders };
}

/** The months shown in trends and cohorts: the twelve local months up to the end of the period (the last one partial). */
function trendMonths(range: Range, facts: ShopFacts) {
  const lastMonth = monthOf(addDays(range.to, -1));
  const first = addMonths(lastMonth, -11);
  const days = Array.from({ length: 12 }, (_, k) => addMonths(first, k));
  const boundaries = [...days.map((d) => startOfDay(d, facts.timezone)), startOfDay(range.to, facts.timezone)];
  return { days: [...days, range.to], boundaries };
}

export interface Options {
  db?: Db;
  now?: Date;
  /** Skip the cache (the bench's cold runs). */
  fresh?: boolean;
}

/** The KPI object of /app/api/kpis for `range` (validated by the caller with `validateRange`). */
export async function kpiReport(shop: string, range: Range, options: Options = {}): Promise<KpiReport> {
  return (await dashboardData(shop, range, options)).kpis;
}

/** Everything the dashboard shows for `range`. */
export async function dashboardData(shop: string, range: Range, options: Options = {}): Promise<DashboardData> {
  const db = options.db ?? defaultDb;
  validateRange(range);
  const version = await timed("dataVersion", () => dataVersion(db, shop));
  return cached(shop, `${range.from}|${range.to}`, version, options.fresh ?? false, async () => {
    const facts = await timed("shopFacts", () => shopFacts(db, shop));
    const months = trendMonths(range, facts);
    const { kpis, values, trends } = await computeReport(db, shop, range, facts, options.now ?? new Date(), months);
    const atRisk = await timed("atRiskCustomers", () => atRiskCustomers(db, values));
    return {
      kpis,
      series: trends!.series,
      cohorts: trends!.cohorts,
      segments: segmentSummaries(values),
      atRisk: { threshold: AT_RISK_P_ALIVE, ...atRisk },
      empty: version.empty,
    };
  });
}

/** Per-customer values (segments, P(alive), predicted CLV) as of now, for customer lists. */
export async function currentCustomerValues(shop: string, options: Options = {}): Promise<CustomerValues> {
  const db = options.db ?? defaultDb;
  const facts = await shopFacts(db, shop);
  const now = options.now ?? new Date();
  const range: Range = { from: addDays(today(facts.timezone, now), -365), to: addDays(today(facts.timezone, now), 1) };
  const version = await dataVersion(db, shop);
  return cached(shop, `values|${range.to}`, version, options.fresh ?? false, async () => {
    const { values } = await computeReport(db, shop, range, facts, now);
    return values;
  });
}
