// One customer's profile in the admin: who they are, their balance and tier, their orders, and
// their full points history (paged, and as a CSV export).
import { db } from "../db.server";
import { currentCustomerValues } from "../analytics/report.server";
import type { Segment } from "../analytics/rfm";
import { clampLimit, displayName, EXPORT_PAGE_SIZE, isAtRisk, positions, type PageRequest } from "./customer-list.server";
import { loadProgram } from "./program.server";
import { expiringPoints } from "./expiry-reminders.server";
import { tierHistory } from "./tiers.server";

export const HISTORY_PAGE_SIZE = 25;
export const ORDERS_SHOWN = 50;

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
  /** MM-DD, or null. */
  birthday: string | null;
  /** Points due to expire within the reminder window, and the day (YYYY-MM-DD, shop's zone). */
  expiring: { points: number; on: string } | null;
  /** Tier moves, newest first (the latest 20). */
  tierChanges: { from: string | null; to: string | null; reason: string; entryPoints: number; at: string }[];
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
  const zone = (await db.shop.findUnique({ where: { domain: shop }, select: { timezone: true } }))?.timezone ?? "UTC";
  const [expiring, moves] = await Promise.all([
    customer.redactedAt ? null : expiringPoints(db, shop, program, customer, zone),
    tierHistory(customer.id),
  ]);
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
    birthday: customer.redactedAt ? null : customer.birthday,
    expiring,
    tierChanges: moves.map((m) => ({
      from: m.fromTier,
      to: m.toTier,
      reason: m.reason,
      entryPoints: m.entryPoints,
      at: m.createdAt.toISOString(),
    })),
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
    ? ((await db.ledgerEntry.aggregate({ where: { shop, customerId, id: { lte: page[0].id } }, _sum: { delta: true } }))._sum
        .delta ?? 0)
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
    previousCursor: backwards
      ? more
        ? (entries[0]?.id ?? null)
        : null
      : request.after != null
        ? (entries[0]?.id ?? null)
        : null,
  };
}

/** The whole history, newest first, a page at a time (the CSV export). */
export async function* historyPages(
  shop: string,
  customerId: number,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<HistoryEntry[]> {
  let after: number | null = null;
  for (;;) {
    const page = await pointsHistory(shop, customerId, { after, limit: Math.min(pageSize, 250) });
    if (page.entries.length) yield page.entries;
    if (page.nextCursor === null) return;
    after = page.nextCursor;
  }
}

export const HISTORY_CSV_HEADER = [
  "Date",
  "Kind",
  "Points",
  "Balance after",
  "Reason",
  "Order",
  "Not taken (balance floor)",
  "By",
] as const;

export function historyCsvRow(e: HistoryEntry) {
  return [e.createdAt, e.kind, e.delta, e.balanceAfter, e.reason, e.orderName, e.shortfall || null, e.actor];
}
