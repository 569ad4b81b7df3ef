// Members as the owner sees them in the admin: the searchable, filterable customer list (and its
// CSV export), one member's profile, orders and full points history, and manual adjustments.
//
// The list pages by customer id, newest first, with a keyset cursor (`after` / `before` an id), so
// page 400 costs what page 1 does. Text search runs in SQL. RFM segments and "at risk" come from
// the analytics' per-customer values (app/analytics, cached per shop until its data changes):
// a filtered list is the matching ids in memory (at most one int per customer), then a page of rows.
//
// Adjustments are ledger rows of kind `adjust` appended through `appendEntry`, keyed by a nonce the
// form carries, so a double submit adjusts once; the staff user who made one is kept in `actor`.
import { db } from "../db.server";
import { query, toNumber } from "../db/sql.server";
import { currentCustomerValues } from "../analytics/report.server";
import { AT_RISK_P_ALIVE, type CustomerValues } from "../analytics/customer-value.server";
import { SEGMENTS, type Segment } from "../analytics/rfm";
import { appendEntry, lockedBalance } from "./ledger.server";
import { loadProgram } from "./program.server";

export const PAGE_SIZE = 50;
export const EXPORT_PAGE_SIZE = 1_000;
export const HISTORY_PAGE_SIZE = 25;
export const ORDERS_SHOWN = 50;
export const REDACTED_NAME = "Redacted customer";
/** An adjustment larger than this is a typo, not a goodwill gesture. */
export const MAX_ADJUSTMENT = 1_000_000;
export const MAX_REASON_LENGTH = 200;

// ---- the list ------------------------------------------------------------------------------------

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
  id: unknown; shopifyId: string; email: string | null; firstName: string | null; lastName: string | null;
  redactedAt: unknown; pointsBalance: unknown; tier: string | null;
};

const CUSTOMER_COLUMNS = `c."id", c."shopifyId", c."email", c."firstName", c."lastName", c."redactedAt", c."pointsBalance", c."tier"`;

/** A shopper's name as the owner reads it. */
export function displayName(c: { firstName: string | null; lastName: string | null; email: string | null; redactedAt: unknown; shopifyId: string }): string {
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
function positions(values: CustomerValues): Map<number, number> {
  let map = positionsOf.get(values);
  if (!map) {
    map = new Map();
    for (let i = 0; i < values.ids.length; i++) map.set(values.ids[i], i);
    positionsOf.set(values, map);
  }
  return map;
}

function isAtRisk(values: CustomerValues, i: number): boolean {
  return values.params !== null && values.orders[i] > 1 && values.pAlive[i] < AT_RISK_P_ALIVE;
}

export interface MemberList {
  filter: MemberFilter;
  total(): Promise<number>;
  page(request?: PageRequest): Promise<MemberPage>;
  /** Every matching member, newest first, `pageSize` at a time (the CSV export). */
  pages(pageSize?: number): AsyncGenerator<MemberRow[]>;
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
        const matching = await query<{ id: unknown }>(db, `SELECT c."id" FROM "Customer" c WHERE c."shop" = ?${search.sql}`, [shop, ...search.params]);
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

  return {
    filter,
    async total() {
      if (needsValues) return (await filteredIds()).length;
      const [row] = await query<{ n: unknown }>(db, `SELECT COUNT(*) AS "n" FROM "Customer" c WHERE c."shop" = ?${search.sql}`, [shop, ...search.params]);
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
      let after: number | null = null;
      for (;;) {
        const { rows, more } = await records({ after }, pageSize);
        if (rows.length) yield await toMemberRows(rows);
        if (!more || rows.length === 0) return;
        after = toNumber(rows.at(-1)!.id);
      }
    },
  };
}

function clampLimit(limit: number) {
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
  "Shopify customer ID", "Name", "Email", "Points", "Tier", "Orders", "Spent", "Currency", "Last order", "Segment",
] as const;

export function memberCsvRow(row: MemberRow, currency: string, segmentLabel: (s: Segment) => string) {
  return [
    row.shopifyId, row.name, row.email, row.points, row.tier, row.orders,
    (row.spentCents / 100).toFixed(2), currency, row.lastOrderAt, row.segment ? segmentLabel(row.segment) : null,
  ];
}

// ---- shop facts for display ------------------------------------------------------------------------

export async function shopDisplay(shop: string): Promise<{ currency: string; timezone: string; name: string | null }> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true, name: true } });
  return { currency: row?.currency ?? "USD", timezone: row?.timezone ?? "UTC", name: row?.name ?? null };
}

// ---- one member ------------------------------------------------------------------------------------

export interface MemberOrder {
  id: number;
  shopifyId: string;
  name: string;
  processedAt: string;
  subtotalCents: number;
  refundedSubtotalCents: number;
  currency: string;
  cancelledAt: string | null;
  test: boolean;
  /** Points the order earned (kind earn). */
  pointsEarned: number;
  /** Points its refunds and cancellation took back (≤ 0). */
  pointsTakenBack: number;
  /** Points a clawback could not take because the balance would have gone below zero. */
  shortfall: number;
}

export interface MemberDetail {
  id: number;
  shopifyId: string;
  name: string;
  email: string | null;
  redacted: boolean;
  redactedAt: string | null;
  enrolledAt: string | null;
  createdAt: string;
  tier: string | null;
  balance: {
    /** Customer.pointsBalance, the cached balance everything reads. */
    cached: number;
    /** SUM of the ledger: what the cache must equal. */
    ledger: number;
    consistent: boolean;
  };
  allowNegativeBalance: boolean;
  segment: Segment | null;
  /** BG/NBD probability the customer is still buying; null for one-order customers or when the model could not be fitted. */
  probabilityAlive: number | null;
  atRisk: boolean;
  stats: { orders: number; spentCents: number };
  orders: { total: number; shown: MemberOrder[] };
}

/** Our id of the customer with this Shopify id in `shop`; null when unknown here (or another shop's). */
export async function memberId(shop: string, shopifyId: string): Promise<number | null> {
  const row = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { id: true } });
  return row?.id ?? null;
}

/** The member with this Shopify customer id in `shop`, or null (unknown here, or another shop's). */
export async function memberDetail(shop: string, shopifyId: string): Promise<MemberDetail | null> {
  const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } } });
  if (!customer) return null;
  const [ledgerSum, program, orderCount, counted, orders, values] = await Promise.all([
    db.ledgerEntry.aggregate({ where: { customerId: customer.id, shop }, _sum: { delta: true } }),
    loadProgram(db as never, shop),
    db.order.count({ where: { shop, customerId: customer.id } }),
    db.order.aggregate({
      where: { shop, customerId: customer.id, test: false, cancelledAt: null },
      _count: { _all: true },
      _sum: { subtotalCents: true, refundedSubtotalCents: true },
    }),
    db.order.findMany({
      where: { shop, customerId: customer.id },
      orderBy: [{ processedAt: "desc" }, { id: "desc" }],
      take: ORDERS_SHOWN,
    }),
    currentCustomerValues(shop),
  ]);
  const points = orders.length
    ? await db.ledgerEntry.groupBy({
        by: ["orderId", "kind"],
        where: { shop, customerId: customer.id, orderId: { in: orders.map((o) => o.id) } },
        _sum: { delta: true, shortfall: true },
      })
    : [];
  const perOrder = new Map<number, { earned: number; takenBack: number; shortfall: number }>();
  for (const p of points) {
    const entry = perOrder.get(p.orderId!) ?? { earned: 0, takenBack: 0, shortfall: 0 };
    const delta = p._sum.delta ?? 0;
    if (p.kind === "earn") entry.earned += delta;
    else if (p.kind === "refund" || p.kind === "cancel") {
      entry.takenBack += delta;
      entry.shortfall += p._sum.shortfall ?? 0;
    }
    perOrder.set(p.orderId!, entry);
  }
  const i = positions(values).get(customer.id);
  const ledger = ledgerSum._sum.delta ?? 0;
  return {
    id: customer.id,
    shopifyId: customer.shopifyId,
    name: displayName(customer),
    email: customer.redactedAt ? null : customer.email,
    redacted: Boolean(customer.redactedAt),
    redactedAt: customer.redactedAt?.toISOString() ?? null,
    enrolledAt: customer.enrolledAt?.toISOString() ?? null,
    createdAt: customer.createdAt.toISOString(),
    tier: customer.tier,
    balance: { cached: customer.pointsBalance, ledger, consistent: ledger === customer.pointsBalance },
    allowNegativeBalance: program.allowNegativeBalance,
    segment: i === undefined ? null : values.segments[i],
    // The model says nothing useful about one-order customers (P(alive | no repeat) is 1 by construction).
    probabilityAlive: i === undefined || !values.params || values.orders[i] < 2 ? null : values.pAlive[i],
    atRisk: i !== undefined && isAtRisk(values, i),
    stats: {
      orders: counted._count._all,
      spentCents: (counted._sum.subtotalCents ?? 0) - (counted._sum.refundedSubtotalCents ?? 0),
    },
    orders: {
      total: orderCount,
      shown: orders.map((o) => {
        const p = perOrder.get(o.id);
        return {
          id: o.id,
          shopifyId: o.shopifyId,
          name: o.name ?? `#${o.shopifyId}`,
          processedAt: o.processedAt.toISOString(),
          subtotalCents: o.subtotalCents,
          refundedSubtotalCents: o.refundedSubtotalCents,
          currency: o.currency,
          cancelledAt: o.cancelledAt?.toISOString() ?? null,
          test: o.test,
          pointsEarned: p?.earned ?? 0,
          pointsTakenBack: p?.takenBack ?? 0,
          shortfall: p?.shortfall ?? 0,
        };
      }),
    },
  };
}

// ---- points history ----------------------------------------------------------------------------------

export interface HistoryEntry {
  id: number;
  createdAt: string;
  kind: string;
  delta: number;
  /** The balance right after this row (the ledger summed up to and including it). */
  balanceAfter: number;
  reason: string;
  /** Staff user who made a manual adjustment. */
  actor: string | null;
  orderName: string | null;
  shortfall: number;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  nextCursor: number | null;
  previousCursor: number | null;
}

/** A page of the member's ledger, newest first; `after`/`before` are ledger row ids. */
export async function pointsHistory(shop: string, customerId: number, request: PageRequest = {}): Promise<HistoryPage> {
  const limit = clampLimit(request.limit ?? HISTORY_PAGE_SIZE);
  const backwards = request.before != null;
  const rows = await db.ledgerEntry.findMany({
    where: {
      shop,
      customerId,
      ...(backwards ? { id: { gt: request.before! } } : request.after != null ? { id: { lt: request.after } } : {}),
    },
    orderBy: { id: backwards ? "asc" : "desc" },
    take: limit + 1,
    include: { order: { select: { name: true, shopifyId: true } } },
  });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  let balance = page.length
    ? ((await db.ledgerEntry.aggregate({ where: { shop, customerId, id: { lte: page[0].id } }, _sum: { delta: true } }))._sum.delta ?? 0)
    : 0;
  const entries = page.map((e) => {
    const entry: HistoryEntry = {
      id: e.id,
      createdAt: e.createdAt.toISOString(),
      kind: e.kind,
      delta: e.delta,
      balanceAfter: balance,
      reason: e.reason,
      actor: e.actor,
      orderName: e.order ? (e.order.name ?? `#${e.order.shopifyId}`) : null,
      shortfall: e.shortfall,
    };
    balance -= e.delta;
    return entry;
  });
  return {
    entries,
    nextCursor: backwards ? (entries.at(-1)?.id ?? null) : more ? (entries.at(-1)?.id ?? null) : null,
    previousCursor: backwards ? (more ? (entries[0]?.id ?? null) : null) : request.after != null ? (entries[0]?.id ?? null) : null,
  };
}

/** The whole history, newest first, a page at a time (the CSV export). */
export async function* historyPages(shop: string, customerId: number, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<HistoryEntry[]> {
  let after: number | null = null;
  for (;;) {
    const page = await pointsHistory(shop, customerId, { after, limit: Math.min(pageSize, 250) });
    if (page.entries.length) yield page.entries;
    if (page.nextCursor === null) return;
    after = page.nextCursor;
  }
}

export const HISTORY_CSV_HEADER = ["Date", "Kind", "Points", "Balance after", "Reason", "Order", "Not taken (balance floor)", "By"] as const;

export function historyCsvRow(e: HistoryEntry) {
  return [e.createdAt, e.kind, e.delta, e.balanceAfter, e.reason, e.orderName, e.shortfall || null, e.actor];
}

// ---- adjustments ----------------------------------------------------------------------------------------

export class AdjustmentError extends Error {
  constructor(
    message: string,
    readonly field: "delta" | "reason" | "nonce" | null = null,
  ) {
    super(message);
    this.name = "AdjustmentError";
  }
}

export class MemberNotFound extends Error {}

export interface AdjustmentInput {
  delta: number;
  reason: string;
  /** From the form: the same nonce twice is the same adjustment. */
  nonce: string;
}

/** Checks what the form sent; throws AdjustmentError naming the field. */
export function parseAdjustment(form: { delta?: unknown; reason?: unknown; nonce?: unknown }): AdjustmentInput {
  const rawDelta = String(form.delta ?? "").trim().replace(/^\+/, "");
  if (!/^-?\d+$/.test(rawDelta)) throw new AdjustmentError("Enter a whole number of points, negative to remove points.", "delta");
  const delta = Number(rawDelta);
  if (delta === 0) throw new AdjustmentError("Enter a number of points other than zero.", "delta");
  if (Math.abs(delta) > MAX_ADJUSTMENT) throw new AdjustmentError(`Adjust by at most ${MAX_ADJUSTMENT.toLocaleString("en")} points at a time.`, "delta");
  const reason = String(form.reason ?? "").trim().replace(/\s+/g, " ");
  if (!reason) throw new AdjustmentError("Give a reason: the customer sees it in their points history.", "reason");
  if (reason.length > MAX_REASON_LENGTH) throw new AdjustmentError(`Keep the reason under ${MAX_REASON_LENGTH} characters.`, "reason");
  const nonce = String(form.nonce ?? "");
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(nonce)) throw new AdjustmentError("The form expired; reload the page and try again.", "nonce");
  return { delta, reason, nonce };
}

export interface AdjustmentResult {
  /** False when this nonce was already used: the earlier adjustment stands, nothing new was added. */
  applied: boolean;
  balance: number;
  delta: number;
}

/**
 * Adds `delta` points (negative removes) to the member's balance as a ledger row of kind `adjust`.
 * The same nonce never adjusts twice. Unless the program allows negative balances, a removal that
 * would take the balance below zero is refused (AdjustmentError), with the balance read under the
 * customer's row lock so two concurrent removals cannot both pass the check.
 */
export async function adjustPoints(
  shop: string,
  shopifyId: string,
  input: AdjustmentInput,
  actor: string | null,
): Promise<AdjustmentResult> {
  const idempotencyKey = `admin:adjust:${input.nonce}`;
  return db.$transaction(async (tx) => {
    const customer = await tx.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { id: true, redactedAt: true } });
    if (!customer) throw new MemberNotFound(`no customer ${shopifyId} in ${shop}`);
    const balance = await lockedBalance(tx, customer.id);
    const earlier = await tx.ledgerEntry.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey } } });
    if (earlier) return { applied: false, balance, delta: earlier.delta };
    if (customer.redactedAt) throw new AdjustmentError("This customer's data was erased at their request; their points can no longer be adjusted.");
    const program = await loadProgram(tx, shop);
    if (input.delta < 0 && !program.allowNegativeBalance && balance + input.delta < 0) {
      throw new AdjustmentError(
        `The balance is ${balance} points: removing ${-input.delta} would take it below zero, and the program does not allow negative balances. Remove at most ${balance}.`,
        "delta",
      );
    }
    const appended = await appendEntry(tx, {
      shop, customerId: customer.id, delta: input.delta, kind: "adjust", reason: input.reason, idempotencyKey, actor,
    });
    if (!appended) return { applied: false, balance, delta: input.delta };
    return { applied: true, balance: balance + input.delta, delta: input.delta };
  });
}

/**
 * The staff member behind an admin request, from the session token's `sub` (the Shopify user id):
 * their name when an online session for them is stored, else "Staff user <id>".
 */
export async function staffActor(shop: string, userId: string | number | null | undefined): Promise<string | null> {
  if (userId === null || userId === undefined || !/^\d+$/.test(String(userId))) return null;
  const session = await db.session.findFirst({
    where: { shop, userId: BigInt(String(userId)) },
    select: { firstName: true, lastName: true, email: true },
  });
  const name = [session?.firstName, session?.lastName].filter(Boolean).join(" ");
  if (name) return session?.email ? `${name} <${session.email}>` : name;
  if (session?.email) return session.email;
  return `Staff user ${userId}`;
}
