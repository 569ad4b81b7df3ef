// Per customer, the purchase days the CLV models are fitted on (clv/transactions.ts): counted
// orders before `asOf` grouped by customer and local calendar day in the shop's time zone, then
// by customer — distinct days, first and last day, spend, and the first day's spend.
//
// One grouped query returns one packed text value (like the per-customer scan, kpis.server.ts):
// ~200,000 customers at the largest size, never the orders.
import type { Db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import type { CustomerDays } from "./clv/transactions";
import { COUNTED, packedRows } from "./kpis.server";
import { localDayExpression, zoneOffsets } from "./local-days";
import { localDayNumber } from "./time";

type Executor = Pick<Db, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** Customers in ascending id order; days are local day numbers (`localDayNumber`). */
export interface CustomerTransactions {
  ids: Int32Array;
  days: Int32Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  spendCents: Float64Array;
  firstDaySpendCents: Float64Array;
  /** The last local day the history covers: the day of the last instant before `asOf`. */
  lastObservedDay: number;
  /** The shop's time zone the days are in. */
  zone: string;
}

// The first day's spend comes out of the same aggregate as MIN(day × K + spend + K/2): the
// smallest is the first day's, and its low part is that day's spend (|spend| < K/2 cents,
// 5 billion in currency units; day × K stays below 2^63 for 4 million years).
const K = 2 ** 40;

export async function customerTransactions(
  db: Executor,
  dialect: "sqlite" | "postgres",
  shop: string,
  zone: string,
  asOf: Date,
): Promise<CustomerTransactions> {
  const lastObservedDay = localDayNumber(new Date(asOf.getTime() - 1), zone);
  // One descent of the (shop, processedAt) index: where the history starts, for the zone's offsets.
  const [start] = await query<{ first: unknown }>(db, `SELECT MIN("processedAt") AS "first" FROM "Order" WHERE "shop" = ?`, [
    shop,
  ]);
  const stored = start?.first == null ? NaN : new Date(start.first as string | Date).getTime();
  const firstMs = Number.isFinite(stored) ? stored : asOf.getTime();
  const params: unknown[] = [];
  const day = localDayExpression(
    dialect,
    `o."processedAt"`,
    zoneOffsets(zone, Math.min(firstMs, asOf.getTime()), asOf.getTime()),
    params,
  );
  const fields = [`c."id"`, `c."days"`, `c."firstDay"`, `c."lastDay"`, `c."spend"`, `c."firstDaySpend"`];
  const packed = packedRows(dialect, fields);
  const [row] = await query<{ data: string | null; customers: unknown }>(
    db,
    `SELECT ${packed} AS "data", COUNT(*) AS "customers"
     FROM (
       SELECT d."customerId" AS "id", COUNT(*) AS "days", MIN(d."day") AS "firstDay", MAX(d."day") AS "lastDay",
              SUM(d."spend") AS "spend",
              MIN(d."day" * ${K} + d."spend" + ${K / 2}) - MIN(d."day") * ${K} - ${K / 2} AS "firstDaySpend"
       FROM (
         SELECT o."customerId" AS "customerId", ${day} AS "day", SUM(o."subtotalCents" - o."refundedSubtotalCents") AS "spend"
         FROM "Order" o
         WHERE ${COUNTED} AND o."customerId" IS NOT NULL AND o."processedAt" < ?
         GROUP BY 1, 2
       ) d
       GROUP BY d."customerId"
     ) c`,
    [...params, shop, asOf],
  );
  const n = toNumber(row?.customers);
  const values = n ? String(row!.data).split(",") : [];
  if (values.length !== n * 6) throw new Error(`customerTransactions: expected ${n * 6} values, got ${values.length}`);
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => Number(values[a * 6]) - Number(values[b * 6]));
  const result: CustomerTransactions = {
    ids: new Int32Array(n),
    days: new Int32Array(n),
    firstDay: new Int32Array(n),
    lastDay: new Int32Array(n),
    spendCents: new Float64Array(n),
    firstDaySpendCents: new Float64Array(n),
    lastObservedDay,
    zone,
  };
  order.forEach((r, i) => {
    const k = r * 6;
    result.ids[i] = Number(values[k]);
    result.days[i] = Number(values[k + 1]);
    result.firstDay[i] = Number(values[k + 2]);
    result.lastDay[i] = Number(values[k + 3]);
    result.spendCents[i] = Number(values[k + 4]);
    result.firstDaySpendCents[i] = Number(values[k + 5]);
  });
  return result;
}

/** Customer `i`'s days, for `summarize`. */
export function daysOf(t: CustomerTransactions, i: number): CustomerDays {
  return {
    days: t.days[i],
    firstDay: t.firstDay[i],
    lastDay: t.lastDay[i],
    spend: t.spendCents[i],
    firstDaySpend: t.firstDaySpendCents[i],
  };
}
