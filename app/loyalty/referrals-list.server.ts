// The admin's Referrals list: each referral order with its advocate, referee, order, status and
// the reason it was blocked or reversed, newest first, a page at a time.
import { db } from "../db.server";
import { displayName } from "./customer-list.server";
import { describeReason } from "./referrals";

export const REFERRALS_PAGE = 50;

export type ReferralStatus = "rewarded" | "blocked" | "reversed";
const STATUSES: ReferralStatus[] = ["rewarded", "blocked", "reversed"];

export type ReferralRow = {
  id: number;
  createdAt: string;
  code: string;
  advocate: { shopifyId: string; name: string };
  referee: { shopifyId: string; name: string };
  order: { shopifyId: string; name: string };
  status: ReferralStatus;
  reason: string | null;
  /** The reason in the merchant's words; "" when rewarded. */
  reasonText: string;
  advocatePoints: number;
  refereePoints: number;
};

export type ReferralPage = { rows: ReferralRow[]; page: number; hasNext: boolean; status: ReferralStatus | null };

/** `?page=2&status=blocked` as the list reads it; anything unreadable means the first page, every status. */
export function parseReferralQuery(params: URLSearchParams): { page: number; status: ReferralStatus | null } {
  const page = Number(params.get("page") ?? "1");
  const status = params.get("status");
  return {
    page: Number.isSafeInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
    status: STATUSES.includes(status as ReferralStatus) ? (status as ReferralStatus) : null,
  };
}

export async function referralPage(shop: string, query: { page: number; status: ReferralStatus | null }): Promise<ReferralPage> {
  const found = await db.referral.findMany({
    where: { shop, ...(query.status ? { status: query.status } : {}) },
    orderBy: { id: "desc" },
    skip: (query.page - 1) * REFERRALS_PAGE,
    take: REFERRALS_PAGE + 1,
  });
  const rows = found.slice(0, REFERRALS_PAGE);
  const ids = [...new Set(rows.flatMap((r) => [r.advocateId, r.refereeId]))];
  const customers = new Map(
    (
      await db.customer.findMany({
        where: { id: { in: ids } },
        select: { id: true, shopifyId: true, email: true, firstName: true, lastName: true, redactedAt: true },
      })
    ).map((c) => [c.id, c]),
  );
  const person = (id: number) => {
    const c = customers.get(id);
    return c ? { shopifyId: c.shopifyId, name: displayName(c) } : { shopifyId: "", name: "Deleted customer" };
  };
  return {
    page: query.page,
    status: query.status,
    hasNext: found.length > REFERRALS_PAGE,
    rows: rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      code: r.code,
      advocate: person(r.advocateId),
      referee: person(r.refereeId),
      order: { shopifyId: r.orderShopifyId, name: r.orderName ?? `Order ${r.orderShopifyId}` },
      status: r.status as ReferralStatus,
      reason: r.reason,
      reasonText: describeReason(r.reason),
      advocatePoints: r.advocatePoints,
      refereePoints: r.refereePoints,
    })),
  };
}
