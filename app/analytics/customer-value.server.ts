// Per-customer value: RFM segments, BG/NBD probability alive, predicted 12-month CLV.
//
// Two grouped queries return one row per customer — about 200,000 small rows for a large shop,
// never the orders themselves: the per-customer scan (orders, first/last order, revenue: RFM) and
// the purchase days (transactions.server.ts: the CLV models' inputs, built as Fader–Hardie–Lee
// build them, see clv/transactions.ts). Scoring and the model fit run on those rows in memory:
// typed arrays, a fit on a deterministic sample when the shop is very large (the likelihood is a
// sum over customers; 5,000 of them, every k-th, pin the parameters down to a few per cent and
// keep the fit near half a second), predictions cached per (x, age in days).
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import {
  expectedAverageSpend,
  expectedPurchases,
  fitClv,
  MIN_REPEAT_CUSTOMERS_TO_FIT,
  probabilityAlive,
  type ClvParams,
  type CustomerSummary,
} from "./clv";
import { summarize } from "./clv/transactions";
import type { CustomerScan } from "./kpis.server";
import { mark } from "./profile";
import { rfmSegments, SEGMENTS, type Segment } from "./rfm";
import { localDayNumber } from "./time";
import { daysOf, type CustomerTransactions } from "./transactions.server";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

const DAY_S = 86_400;
/** The CLV horizon: 12 months in weeks, the unit the models are fitted in. */
export const HORIZON_WEEKS = 365.25 / 7;
const FIT_SAMPLE = 5_000;
/** At-risk: repeat customers whose probability of still being a customer fell below this. */
export const AT_RISK_P_ALIVE = 0.5;

export interface CustomerValues {
  asOf: Date;
  ids: Int32Array;
  orders: Int32Array;
  revenueCents: Float64Array;
  recencyDays: Float64Array;
  /** First counted order, epoch seconds. */
  firstOrder: Float64Array;
  segments: Segment[];
  pAlive: Float64Array;
  /** Expected revenue over the next 12 months, currency units. */
  clv: Float64Array;
  model: "bgnbd-gamma-gamma" | "textbook";
  params: ClvParams | null;
  /** Customers with a repeat transaction: a purchase on a later day than their first. */
  repeatCustomers: number;
  /** The textbook fallback had nothing to go on (no orders in the 12 months): `clv` is 0 for everyone but means "unknown". */
  textbookUndefined: boolean;
}

/**
 * Values for every customer with a counted order before `asOf`, from the per-customer scan
 * (`customerScan`, which may reach past `asOf`: customers with no order before it are left out)
 * and their purchase days before `asOf` (`customerTransactions`, the same customers in id order).
 * `textbookYearValue` is what a customer is worth in a year by the textbook formula (AOV ×
 * purchases per customer per year), used for everyone when there are too few repeat customers
 * to fit the models. Synchronous: the fit is CPU work on the rows.
 */
export function customerValues(
  scan: CustomerScan,
  transactions: CustomerTransactions,
  asOf: Date,
  textbookYearValue: number | null | (() => number | null),
): CustomerValues {
  const phase = performance.now();
  let n = 0;
  for (let r = 0; r < scan.orders.length; r++) if (scan.orders[r] > 0) n++;
  const now = asOf.getTime() / 1000;
  const ids = new Int32Array(n);
  const orders = new Int32Array(n);
  const revenueCents = new Float64Array(n);
  const recencyDays = new Float64Array(n);
  const firstOrder = new Float64Array(n);
  const summaries: CustomerSummary[] = new Array(n);
  let repeatCustomers = 0;
  for (let r = 0, i = 0, t = 0; r < scan.orders.length; r++) {
    if (scan.orders[r] === 0) continue;
    const first = scan.first[r];
    const last = scan.last[r];
    ids[i] = scan.ids[r];
    orders[i] = scan.orders[r];
    revenueCents[i] = scan.revenueCents[r];
    recencyDays[i] = Math.max(0, (now - last) / DAY_S);
    firstOrder[i] = first;
    // Both lists are in id order. On PostgreSQL the two queries read separate snapshots, so an
    // order written between them can leave a customer in one list only: without purchase days,
    // the scan's own row stands in (one purchase day, its first order's).
    while (t < transactions.ids.length && transactions.ids[t] < ids[i]) t++;
    summaries[i] =
      transactions.ids[t] === ids[i]
        ? summarize(daysOf(transactions, t), transactions.lastObservedDay, 100)
        : {
            x: 0,
            t_x: 0,
            T: Math.max(0, transactions.lastObservedDay - localDayNumber(new Date(first * 1000), transactions.zone)) / 7,
            zbar: 0,
          };
    if (summaries[i].x > 0) repeatCustomers++;
    i++;
  }

  const segments = rfmSegments(recencyDays, orders, revenueCents);

  mark("values rows+rfm", phase);
  let params: ClvParams | null = null;
  if (repeatCustomers >= MIN_REPEAT_CUSTOMERS_TO_FIT) {
    const step = Math.max(1, Math.ceil(n / FIT_SAMPLE));
    const sample = step === 1 ? summaries : summaries.filter((_, i) => i % step === 0);
    const fitStarted = performance.now();
    params = fitClv(sample);
    mark("values fit", fitStarted);
  }
  const predictStarted = performance.now();

  const pAlive = new Float64Array(n).fill(1);
  const clv = new Float64Array(n);
  if (params) {
    const fitted = params;
    // E[purchases] = (purchases if alive, which depends on x and T only) × P(alive | x, t_x, T).
    const ifAlive = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const s = summaries[i];
      const ageDays = Math.round(s.T * 7);
      const key = s.x * 1_000_000 + ageDays;
      let alivePurchases = ifAlive.get(key);
      if (alivePurchases === undefined) {
        const T = ageDays / 7;
        alivePurchases = expectedPurchases(fitted.bgnbd, HORIZON_WEEKS, s.x, T, T) / probabilityAlive(fitted.bgnbd, s.x, T, T);
        ifAlive.set(key, alivePurchases);
      }
      pAlive[i] = probabilityAlive(fitted.bgnbd, s.x, s.t_x, s.T);
      clv[i] = alivePurchases * pAlive[i] * expectedAverageSpend(fitted.gammaGamma, s.x, s.zbar);
    }
  }
  const textbook = params ? 0 : typeof textbookYearValue === "function" ? textbookYearValue() : textbookYearValue;
  if (!params) clv.fill(textbook ?? 0);
  mark("values predict", predictStarted);
  return {
    asOf,
    ids,
    orders,
    revenueCents,
    recencyDays,
    firstOrder,
    segments,
    pAlive,
    clv,
    model: params ? "bgnbd-gamma-gamma" : "textbook",
    params,
    repeatCustomers,
    textbookUndefined: !params && textbook === null,
  };
}

export interface SegmentSummary {
  key: Segment;
  customers: number;
  /** Revenue from these customers to date, currency units. */
  revenue: number;
  /** Null for an empty segment. */
  averagePredictedClv: number | null;
}

export function segmentSummaries(values: CustomerValues): SegmentSummary[] {
  const totals = new Map<Segment, { customers: number; revenueCents: number; clv: number }>(
    SEGMENTS.map((s) => [s, { customers: 0, revenueCents: 0, clv: 0 }]),
  );
  values.segments.forEach((segment, i) => {
    const t = totals.get(segment)!;
    t.customers++;
    t.revenueCents += values.revenueCents[i];
    t.clv += values.clv[i];
  });
  return SEGMENTS.map((key) => {
    const t = totals.get(key)!;
    return {
      key,
      customers: t.customers,
      revenue: Math.round(t.revenueCents) / 100,
      averagePredictedClv: t.customers && !values.textbookUndefined ? Math.round((t.clv / t.customers) * 100) / 100 : null,
    };
  });
}

/** Customer ids in a segment, most valuable (revenue to date) first. */
export function segmentMembers(values: CustomerValues, segment: Segment): number[] {
  const members: number[] = [];
  values.segments.forEach((s, i) => s === segment && members.push(i));
  members.sort((a, b) => values.revenueCents[b] - values.revenueCents[a]);
  return members.map((i) => values.ids[i]);
}

export interface AtRiskCustomer {
  customerId: number;
  name: string | null;
  email: string | null;
  orders: number;
  revenue: number;
  daysSinceLastOrder: number;
  probabilityAlive: number;
  predictedClv: number;
}

/**
 * Repeat customers whose probability of still being a customer (BG/NBD) is below `threshold`,
 * highest revenue to date first. Empty when the models could not be fitted.
 */
export async function atRiskCustomers(
  db: Executor,
  values: CustomerValues,
  { threshold = AT_RISK_P_ALIVE, limit = 50 } = {},
): Promise<{ total: number; customers: AtRiskCustomer[] }> {
  if (!values.params) return { total: 0, customers: [] };
  const indexes: number[] = [];
  for (let i = 0; i < values.ids.length; i++) if (values.orders[i] > 1 && values.pAlive[i] < threshold) indexes.push(i);
  indexes.sort((a, b) => values.revenueCents[b] - values.revenueCents[a]);
  const top = indexes.slice(0, limit);
  const ids = top.map((i) => values.ids[i]);
  const people = ids.length
    ? await query<{ id: unknown; firstName: string | null; lastName: string | null; email: string | null }>(
        db,
        `SELECT "id", "firstName", "lastName", "email" FROM "Customer" WHERE "id" IN (${ids.map(() => "CAST(? AS INTEGER)").join(", ")})`,
        ids,
      )
    : [];
  const byId = new Map(people.map((p) => [toNumber(p.id), p]));
  return {
    total: indexes.length,
    customers: top.map((i) => {
      const person = byId.get(values.ids[i]);
      const name = [person?.firstName, person?.lastName].filter(Boolean).join(" ") || null;
      return {
        customerId: values.ids[i],
        name,
        email: person?.email ?? null,
        orders: values.orders[i],
        revenue: Math.round(values.revenueCents[i]) / 100,
        daysSinceLastOrder: Math.floor(values.recencyDays[i]),
        probabilityAlive: values.pAlive[i],
        predictedClv: Math.round(values.clv[i] * 100) / 100,
      };
    }),
  };
}
