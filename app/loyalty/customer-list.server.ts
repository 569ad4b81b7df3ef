// The customer list as the owner sees it in the admin: search, filters (tier, RFM segment, at
// risk), keyset pages, and the CSV export.
//
// The list pages by customer id, newest first, with a keyset cursor (`after` / `before` an id), so
// page 400 costs what page 1 does. Text search runs in SQL. RFM segments and "at risk" come from
// the analytics' per-customer values (app/analytics, cached per shop until its data changes):
// a filtered list is the matching ids in memory (at most one int per customer), then a page of rows.
import { db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { currentCustomerValues } from "../analytics/report.server";
import { AT_RISK_P_ALIVE, type CustomerValues } from "../analytics/customer-value.server";
import { SEGMENTS, type Segment } from "../analytics/rfm";

export const PAGE_SIZE = 50;
export const EXPORT_PAGE_SIZE = 1_000;
export const REDACTED_NAME = "Redacted customer";

export interface MemberFilter {
  /** Name, email or Shopify customer id (numeric or gid). */
  q: string;
  segment: Segment | null;
  /** Repeat customers whose probability of still buying (BG/NBD) fell below AT_RISK_P_ALIVE: the dashboard's at-risk list. */
  atRisk: boolean;
}

export function parseMemberFilter(params: URLSearchParams): MemberFilter {
  const q = (params.get("q") ?? "").trim().slice(0, 200);
  const segment = params.get("segment");
  const atRisk = params.get("atRisk");
  return {
    q,
    segment: segment && (SEGMENTS as readonly string[]).includes(segment) ? (segment as Segment) : null,
    atRisk: atRisk === "1" || atRisk === "true",
  };
}

/** The filter as query parameters (links, the export URL). */
export function filterParams(filter: MemberFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.segment) params.set("segment", filter.segment);
  if (filter.atRisk) params.set("atRisk", "1");
  return params;
}

export interface MemberRow {
  /** Our id (stable, used as the cursor). */
  id: number;
  shopifyId: string;
  name: string;
  email: string | null;
  redacted: boolean;
  points: number;
  tier: string | null;
  /** Counted orders: not test, not cancelled. */
  orders: number;
  /** Subtotal after discounts minus refunds of those orders, cents. */
  spentCents: number;
  lastOrderAt: string | null;
  segment: Segment | null;
}

export interface MemberPage {
  rows: MemberRow[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: number | null;
  /** Pass as `before` for the previous page; null on the first page. */
  previousCursor: number | null;
}

export type PageRequest = { after?: number | null; before?: number | null; limit?: number };

type CustomerRecordRow = {
  id: unknown;
  shopifyId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  redactedAt: unknown;
  pointsBalance: unknown;
  tier: string | null;
};

const CUSTOMER_COLUMNS = `c."id", c."shopifyId", c."email", c."firstName", c."lastName", c."redactedAt", c."pointsBalance", c."tier"`;

/** A shopper's name as the owner reads it. */
export function displayName(c: {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  redactedAt: unknown;
  shopifyId: string;
}): string {
  if (c.redactedAt) return REDACTED_NAME;
  return [c.firstName, c.lastName].filter(Boolean).join(" ").trim() || c.email || `Customer ${c.shopifyId}`;
}

/** `gid://shopify/Customer/123` → `123`. */
function shopifyIdOf(text: string): string {
  const m = /^gid:\/\/shopify\/Customer\/(\d+)$/i.exec(text);
  return m ? m[1] : text;
}

/** The text-search condition and its parameters (LIKE wildcards in the query are literal). */
function searchCondition(q: string): { sql: string; params: unknown[] } {
  if (!q) return { sql: "", params: [] };
  const like = `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return {
    sql: ` AND (c."shopifyId" = ? OR LOWER(COALESCE(c."email", '')) LIKE ? ESCAPE '\\'
           OR LOWER(COALESCE(c."firstName", '') || ' ' || COALESCE(c."lastName", '')) LIKE ? ESCAPE '\\')`,
    params: [shopifyIdOf(q), like, like],
  };
}

const positionsOf = new WeakMap<CustomerValues, Map<number, number>>();
export function positions(values: CustomerValues): Map<number, number> {
  let map = positionsOf.get(values);
  if (!map) {
    map = new Map();
    for (let i = 0; i < values.ids.length; i++) map.set(values.ids[i], i);
    positionsOf.set(values, map);
  }
  return map;
}

export function isAtRisk(values: CustomerValues, i: number): boolean {
  return values.params !== null && values.orders[i] > 1 && values.pAlive[i] < AT_RISK_P_ALIVE;
}

export interface MemberList {
  filter: MemberFilter;
  total(): Promise<number>;
  page(request?: PageRequest): Promise<MemberPage>;
  /** Every matching member, newest first, `pageSize` at a time (the CSV export). */
  pages(pageSize?: number): AsyncGenerator<MemberRow[]>;
  /** The ids of every matching member, newest first, `pageSize` at a time, without the order
   * statistics a row shows (bulk adjustments need only who). */
  idPages(pageSize?: number): AsyncGenerator<number[]>;
}

/** The shop's members matching `filter`. */
export function memberList(shop: string, filter: MemberFilter): MemberList {
  let valuesPromise: Promise<CustomerValues> | null = null;
  const values = () => (valuesPromise ??= currentCustomerValues(shop));
  const needsValues = Boolean(filter.segment || filter.atRisk);
  const search = searchCondition(filter.q);

  // Filtered by segment: the matching ids, newest first, computed once per list.
  let idsPromise: Promise<number[]> | null = null;
  const filteredIds = () =>
    (idsPromise ??= (async () => {
      const v = await values();
      let ids: number[] = [];
      for (let i = 0; i < v.ids.length; i++) {
        if (filter.segment && v.segments[i] !== filter.segment) continue;
        if (filter.atRisk && !isAtRisk(v, i)) continue;
        ids.push(v.ids[i]);
      }
      if (filter.q) {
        const matching = await query<{ id: unknown }>(db, `SELECT c."id" FROM "Customer" c WHERE c."shop" = ?${search.sql}`, [
          shop,
          ...search.params,
        ]);
        const set = new Set(matching.map((r) => toNumber(r.id)));
        ids = ids.filter((id) => set.has(id));
      }
      return ids.sort((a, b) => b - a);
    })());

  async function records(request: PageRequest, limit: number): Promise<{ rows: CustomerRecordRow[]; more: boolean }> {
    const backwards = request.before != null;
    if (needsValues) {
      const ids = await filteredIds();
      let start = 0;
      let end = ids.length;
      if (backwards) {
        // ids are descending: the page just before `before` ends where ids drop below it.
        end = lowerBound(ids, request.before!);
        start = Math.max(0, end - limit);
      } else if (request.after != null) {
        start = firstBelow(ids, request.after);
      }
      const slice = backwards ? ids.slice(start, end) : ids.slice(start, start + limit);
      const more = backwards ? start > 0 : start + limit < ids.length;
      const rows = slice.length
        ? await query<CustomerRecordRow>(
            db,
            `SELECT ${CUSTOMER_COLUMNS} FROM "Customer" c WHERE c."shop" = ? AND c."id" IN (${slice.map(() => "CAST(? AS INTEGER)").join(", ")})`,
            [shop, ...slice],
          )
        : [];
      rows.sort((a, b) => toNumber(b.id) - toNumber(a.id));
      return { rows, more };
    }
    const cursor = backwards ? ` AND c."id" > ?` : request.after != null ? ` AND c."id" < ?` : "";
    const cursorParams = backwards ? [request.before] : request.after != null ? [request.after] : [];
    const rows = await query<CustomerRecordRow>(
      db,
      `SELECT ${CUSTOMER_COLUMNS} FROM "Customer" c
       WHERE c."shop" = ?${cursor}${search.sql}
       ORDER BY c."id" ${backwards ? "ASC" : "DESC"} LIMIT ?`,
      [shop, ...cursorParams, ...search.params, limit + 1],
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    if (backwards) page.reverse();
    return { rows: page, more };
  }

  async function toMemberRows(records: CustomerRecordRow[]): Promise<MemberRow[]> {
    if (records.length === 0) return [];
    const ids = records.map((r) => toNumber(r.id));
    const stats = await query<{ id: unknown; n: unknown; spent: unknown; last: unknown }>(
      db,
      `SELECT o."customerId" AS "id", COUNT(*) AS "n", SUM(o."subtotalCents" - o."refundedSubtotalCents") AS "spent", MAX(o."processedAt") AS "last"
       FROM "Order" o
       WHERE o."shop" = ? AND NOT o."test" AND o."cancelledAt" IS NULL AND o."customerId" IN (${ids.map(() => "CAST(? AS INTEGER)").join(", ")})
       GROUP BY o."customerId"`,
      [shop, ...ids],
    );
    const byId = new Map(stats.map((s) => [toNumber(s.id), s]));
    const v = await values();
    const at = positions(v);
    return records.map((r) => {
      const id = toNumber(r.id);
      const s = byId.get(id);
      const i = at.get(id);
      return {
        id,
        shopifyId: String(r.shopifyId),
        name: displayName(r),
        email: r.redactedAt ? null : r.email,
        redacted: Boolean(r.redactedAt),
        points: toNumber(r.pointsBalance),
        tier: r.tier,
        orders: toNumber(s?.n),
        spentCents: toNumber(s?.spent),
        lastOrderAt: s?.last ? toDate(s.last).toISOString() : null,
        segment: i !== undefined ? v.segments[i] : null,
      };
    });
  }

  async function* recordPages(pageSize: number) {
    let after: number | null = null;
    for (;;) {
      const { rows, more } = await records({ after }, pageSize);
      if (rows.length) yield rows;
      if (!more || rows.length === 0) return;
      after = toNumber(rows.at(-1)!.id);
    }
  }

  return {
    filter,
    async total() {
      if (needsValues) return (await filteredIds()).length;
      const [row] = await query<{ n: unknown }>(db, `SELECT COUNT(*) AS "n" FROM "Customer" c WHERE c."shop" = ?${search.sql}`, [
        shop,
        ...search.params,
      ]);
      return toNumber(row?.n);
    },
    async page(request = {}) {
      const limit = clampLimit(request.limit ?? PAGE_SIZE);
      const { rows, more } = await records(request, limit);
      const members = await toMemberRows(rows);
      const backwards = request.before != null;
      const first = members[0]?.id ?? null;
      const last = members.at(-1)?.id ?? null;
      return {
        rows: members,
        // Going forwards there is a previous page when we started after a cursor; backwards, when more rows were found.
        nextCursor: backwards ? last : more ? last : null,
        previousCursor: backwards ? (more ? first : null) : request.after != null ? first : null,
      };
    },
    async *pages(pageSize = EXPORT_PAGE_SIZE) {
      for await (const rows of recordPages(pageSize)) yield await toMemberRows(rows);
    },
    async *idPages(pageSize = EXPORT_PAGE_SIZE) {
      for await (const rows of recordPages(pageSize)) yield rows.map((r) => toNumber(r.id));
    },
  };
}

export function clampLimit(limit: number) {
  return Math.min(250, Math.max(1, Math.floor(limit) || PAGE_SIZE));
}

/** In descending `ids`, the index of the first id below `cursor`. */
function firstBelow(ids: number[], cursor: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < cursor) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
/** In descending `ids`, the index of the first id at or below `cursor` (the end of the page before it). */
function lowerBound(ids: number[], cursor: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] <= cursor) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "number") return new Date(value);
  return new Date(String(value));
}

/** The columns of the list's CSV export; `memberCsvRow` gives a row's values in this order. */
export const MEMBER_CSV_HEADER = [
  "Shopify customer ID",
  "Name",
  "Email",
  "Points",
  "Tier",
  "Orders",
  "Spent",
  "Currency",
  "Last order",
  "Segment",
] as const;

export function memberCsvRow(row: MemberRow, currency: string, segmentLabel: (s: Segment) => string) {
  return [
    row.shopifyId,
    row.name,
    row.email,
    row.points,
    row.tier,
    row.orders,
    (row.spentCents / 100).toFixed(2),
    currency,
    row.lastOrderAt,
    row.segment ? segmentLabel(row.segment) : null,
  ];
}
