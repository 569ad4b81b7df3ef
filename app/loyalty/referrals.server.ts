// Referrals in the database (docs/loyalty-rules.md#referrals, ADR 0029): members' codes, the
// referral order judged and paid in the transaction that records it, and both rewards taken back
// when that order is cancelled or refunded in full within the return window.
//
// A referral is decided once, when its paid order first arrives, under the settings of that
// moment; the Referral row (unique per order) and the ledger keys `referral:<id>:advocate` and
// `referral:<id>:referee` make a redelivery, or the same order applied twice at once, pay nothing more.
import { dialect, type Db, type Tx } from "../db.server";
import { query, toNumber, valuesList } from "../db/sql.server";
import { appendEntries, appendEntry, lockedBalance, type NewLedgerEntry } from "./ledger.server";
import { boundedClawback } from "./earning";
import type { Program } from "./program";
import type { OrderRecord } from "./records";
import {
  candidateCodes,
  fingerprints,
  judgeReferral,
  monthOf,
  newCode,
  reversal,
  sharedContact,
  windowEnd,
  type ReferralFacts,
} from "./referrals";

export type ReferralLink = { code: string; url: string };

/** The member's code, made the first time it is asked for; the same code ever after, even when asked twice at once. */
export async function referralCode(tx: Tx | Db, shop: string, customerId: number): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const existing = await tx.referralCode.findUnique({ where: { shop_customerId: { shop, customerId } } });
    if (existing) return existing.code;
    // No conflict target: a concurrent request's row for this member, or (rarely) another
    // member's identical code, both leave this insert a no-op; the next round reads or retries.
    await query(
      tx,
      `INSERT INTO "ReferralCode" ("shop", "customerId", "code", "createdAt") VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [shop, customerId, newCode(), new Date()],
    );
  }
  throw new Error(`no referral code could be made for customer ${customerId}`);
}

/** The member's code and share link: the shop's storefront with `?ref=`, which the widget turns into the cart attribute. */
export async function referralLink(tx: Tx | Db, shop: string, customerId: number): Promise<ReferralLink> {
  const code = await referralCode(tx, shop, customerId);
  return { code, url: `https://${shop}/?ref=${code}` };
}

type Candidate = { order: OrderRecord; codes: string[] };

function candidates(program: Program, orders: OrderRecord[]): Candidate[] {
  if (!program.referralBonusEnabled) return [];
  return orders
    .filter((o) => o.customer && !o.test)
    .map((order) => ({ order, codes: candidateCodes(order.referral, order.discountCodes) }))
    .filter((c) => c.codes.length > 0);
}

async function codeOwners(tx: Tx, shop: string, codes: string[]): Promise<Map<string, number>> {
  if (codes.length === 0) return new Map();
  const rows = await tx.referralCode.findMany({ where: { shop, code: { in: [...new Set(codes)] } } });
  return new Map(rows.map((r) => [r.code, r.customerId]));
}

/**
 * PostgreSQL: a referral order moves a second customer's balance (the advocate's). Locks the
 * advocates' rows together with the buyers', in Shopify id order, before anything else touches
 * a customer row, so two transactions wait for each other at most in that one order (ADR 0026).
 */
export async function lockReferralParties(tx: Tx, shop: string, program: Program, orders: OrderRecord[]) {
  if (dialect() !== "postgres") return;
  const found = candidates(program, orders);
  if (found.length === 0) return;
  const advocates = [
    ...(
      await codeOwners(
        tx,
        shop,
        found.flatMap((c) => c.codes),
      )
    ).values(),
  ];
  if (advocates.length === 0) return;
  await tx.$queryRawUnsafe(
    `SELECT c."id" FROM "Customer" c
     WHERE c."shop" = $1 AND (c."id" = ANY($2::int[]) OR c."shopifyId" = ANY($3::text[]))
     ORDER BY c."shopifyId" FOR UPDATE`,
    shop,
    advocates,
    orders.flatMap((o) => (o.customer ? [o.customer.shopifyId] : [])),
  );
}

/** Keeps the hashed contact points of members' orders while referrals are on (self-referral checks). */
async function recordFingerprints(tx: Tx, shop: string, orders: OrderRecord[], customerIds: Map<string, number>) {
  const rows = orders.flatMap((o) => {
    const customerId = o.customer && customerIds.get(o.customer.shopifyId);
    return customerId && o.referral ? fingerprints(o.referral).map((hash) => [customerId, hash] as const) : [];
  });
  const unique = [...new Map(rows.map((r) => [`${r[0]} ${r[1]}`, r])).values()];
  for (let i = 0; i < unique.length; i += 300) {
    const chunk = unique.slice(i, i + 300);
    const now = new Date();
    await query(
      tx,
      `INSERT INTO "ReferralFingerprint" ("shop", "customerId", "hash", "createdAt") VALUES ${valuesList(chunk.length, 4)}
       ON CONFLICT ("shop", "customerId", "hash") DO NOTHING`,
      chunk.flatMap(([customerId, hash]) => [shop, customerId, hash, now]),
    );
  }
}

/**
 * orders/paid: judges the orders that carry a member's code (the `regulars_referral` cart
 * attribute, or the code used as a discount code) and pays both sides of each good one.
 * Runs after the orders are recorded, in the same transaction.
 */
export async function applyReferrals(
  tx: Tx,
  shop: string,
  program: Program,
  orders: OrderRecord[],
  saved: Map<string, { id: number }>,
  customerIds: Map<string, number>,
) {
  if (!program.referralBonusEnabled) return;
  await recordFingerprints(tx, shop, orders, customerIds);
  const found = candidates(program, orders);
  if (found.length === 0) return;
  const owners = await codeOwners(
    tx,
    shop,
    found.flatMap((c) => c.codes),
  );
  for (const { order, codes } of found) {
    const code = codes.find((c) => owners.has(c));
    const orderId = saved.get(order.shopifyId)?.id;
    const refereeId = customerIds.get(order.customer!.shopifyId);
    if (!code || !orderId || !refereeId) continue; // no member's code: not a referral
    const already = await tx.referral.findUnique({ where: { shop_orderShopifyId: { shop, orderShopifyId: order.shopifyId } } });
    if (already) continue; // decided when it first arrived
    const advocateId = owners.get(code)!;
    const facts = await factsOf(tx, shop, { advocateId, refereeId, orderId, order });
    const verdict = judgeReferral(facts, program);
    const rewarded = verdict.status === "rewarded";
    const [row] = await query<{ id: number }>(
      tx,
      `INSERT INTO "Referral" ("shop", "code", "advocateId", "refereeId", "refereeShopifyId", "orderId", "orderShopifyId",
         "orderName", "orderAt", "status", "reason", "advocatePoints", "refereePoints", "windowEndsAt", "createdAt", "updatedAt")
       VALUES ${valuesList(1, 16)}
       ON CONFLICT ("shop", "orderShopifyId") DO NOTHING RETURNING "id"`,
      [
        shop,
        code,
        advocateId,
        refereeId,
        order.customer!.shopifyId,
        orderId,
        order.shopifyId,
        order.name,
        order.processedAt,
        verdict.status,
        rewarded ? null : verdict.reason,
        rewarded ? verdict.advocatePoints : 0,
        rewarded ? verdict.refereePoints : 0,
        rewarded ? windowEnd(order.processedAt, program.referralReturnWindowDays) : null,
        new Date(),
        new Date(),
      ],
    );
    if (!row || !rewarded) continue;
    const id = Number(row.id);
    const label = order.name ?? order.shopifyId;
    const entries: NewLedgerEntry[] = [];
    if (verdict.advocatePoints > 0)
      entries.push({
        shop,
        customerId: advocateId,
        delta: verdict.advocatePoints,
        kind: "referral",
        reason: "Referral reward: a friend's first order",
        idempotencyKey: `referral:${id}:advocate`,
      });
    if (verdict.refereePoints > 0)
      entries.push({
        shop,
        customerId: refereeId,
        delta: verdict.refereePoints,
        kind: "referral",
        reason: `Welcome reward for coming through a referral (order ${label})`,
        orderId,
        idempotencyKey: `referral:${id}:referee`,
      });
    await appendEntries(tx, entries);
  }
}

async function factsOf(
  tx: Tx,
  shop: string,
  p: { advocateId: number; refereeId: number; orderId: number; order: OrderRecord },
): Promise<ReferralFacts> {
  const { advocateId, refereeId, order } = p;
  if (advocateId === refereeId)
    return { sameCustomer: true, sharedContact: null, refereeOrderedBefore: false, loop: false, rewardedThisMonth: 0 };
  const advocate = await tx.customer.findUniqueOrThrow({ where: { id: advocateId }, select: { email: true } });
  const stored = await tx.referralFingerprint.findMany({ where: { shop, customerId: advocateId }, select: { hash: true } });
  const advocatePrints = [
    ...stored.map((s) => s.hash),
    ...fingerprints({ emails: advocate.email ? [advocate.email] : [], phones: [], shippingAddress: null }),
  ];
  const [before] = await query<{ n: unknown }>(
    tx,
    `SELECT COUNT(*) AS "n" FROM "Order" o
     WHERE o."shop" = ? AND o."customerId" = ? AND o."id" <> ? AND NOT o."test"
       AND (o."processedAt" < ? OR (o."processedAt" = ? AND o."id" < ?))`,
    [shop, refereeId, p.orderId, order.processedAt, order.processedAt, p.orderId],
  );
  const month = monthOf(order.processedAt);
  const rewardedThisMonth = await tx.referral.count({
    where: { shop, advocateId, status: "rewarded", orderAt: { gte: month.from, lt: month.to } },
  });
  return {
    sameCustomer: false,
    sharedContact: order.referral ? sharedContact(advocatePrints, fingerprints(order.referral)) : null,
    refereeOrderedBefore: toNumber(before?.n) > 0,
    loop: await referredBy(tx, shop, advocateId, refereeId),
    rewardedThisMonth,
  };
}

/** Whether `advocateId` came in through `refereeId`, directly or up a chain of rewarded referrals. */
async function referredBy(tx: Tx, shop: string, advocateId: number, refereeId: number): Promise<boolean> {
  const seen = new Set<number>([advocateId]);
  let current = advocateId;
  for (let step = 0; step < 50; step++) {
    const up = await tx.referral.findFirst({
      where: { shop, refereeId: current, status: { in: ["rewarded", "reversed"] } },
      select: { advocateId: true },
      orderBy: { id: "asc" },
    });
    if (!up) return false;
    if (up.advocateId === refereeId) return true;
    if (seen.has(up.advocateId)) return false;
    seen.add(up.advocateId);
    current = up.advocateId;
  }
  return false;
}

/**
 * Called whenever an order's refunds or cancellation change (orders.server.ts `settleOrder`): a
 * rewarded referral whose order was cancelled, or refunded in full, within its return window
 * gives both rewards back, each from its own member, never below zero unless the shop allows it.
 */
export async function settleReferral(
  tx: Tx,
  shop: string,
  program: Program,
  order: { id: number; shopifyId: string; name: string | null; cancelledAt: Date | null; subtotalCents: number },
  refunds: { subtotalCents: number; createdAt: Date }[],
) {
  const referral = await tx.referral.findUnique({ where: { shop_orderShopifyId: { shop, orderShopifyId: order.shopifyId } } });
  if (!referral || referral.status !== "rewarded") return;
  const reason = reversal(referral.windowEndsAt, order, refunds);
  if (!reason) return;
  const label = order.name ?? order.shopifyId;
  const paid = await tx.ledgerEntry.findMany({
    where: { shop, idempotencyKey: { in: [`referral:${referral.id}:advocate`, `referral:${referral.id}:referee`] } },
    orderBy: { customerId: "asc" },
  });
  for (const entry of paid) {
    const balance = await lockedBalance(tx, entry.customerId);
    const { delta, shortfall } = boundedClawback(entry.delta, balance, program.allowNegativeBalance);
    await appendEntry(tx, {
      shop,
      customerId: entry.customerId,
      delta,
      shortfall,
      // Like bonus take-backs, a refund or cancel row: the owner's figures count it as points clawed back.
      kind: reason === "cancelled_in_window" ? "cancel" : "refund",
      orderId: entry.orderId,
      idempotencyKey: `${entry.idempotencyKey}:takeback`,
      reason: `${entry.customerId === referral.advocateId ? "Referral reward" : "Welcome reward"} taken back: order ${label} ${
        reason === "cancelled_in_window" ? "cancelled" : "refunded"
      } within the return window`,
    });
  }
  await tx.referral.update({ where: { id: referral.id }, data: { status: "reversed", reason } });
}

/**
 * customers/redact: the hashed contact points and the member's code (their link stops working)
 * go. Referral rows stay, holding only ids and the decision, like the ledger they explain.
 */
export async function redactReferralData(tx: Tx, shop: string, customerShopifyId: string) {
  const customer = await tx.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } },
    select: { id: true },
  });
  if (!customer) return;
  await tx.referralFingerprint.deleteMany({ where: { shop, customerId: customer.id } });
  await tx.referralCode.deleteMany({ where: { shop, customerId: customer.id } });
}

/**
 * customers/data_request: the member's code and their referrals — as the member who referred
 * (the friend's order is the friend's, so only when and what was decided) and as the friend.
 */
export async function referralExport(tx: Tx, shop: string, customerId: number) {
  const code = await tx.referralCode.findUnique({ where: { shop_customerId: { shop, customerId } } });
  const rows = await tx.referral.findMany({
    where: { shop, OR: [{ advocateId: customerId }, { refereeId: customerId }] },
    orderBy: { id: "asc" },
  });
  return {
    code: code?.code ?? null,
    referrals: rows.map((r) => ({
      as: r.advocateId === customerId ? "member who referred" : "friend referred",
      at: r.createdAt,
      ...(r.refereeId === customerId ? { order: r.orderName ?? r.orderShopifyId } : {}),
      status: r.status,
      reason: r.reason,
      points: r.advocateId === customerId ? r.advocatePoints : r.refereePoints,
    })),
  };
}
