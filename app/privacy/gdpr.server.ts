// Shopify's mandatory compliance topics: export, erase a customer, erase a shop (docs/privacy.md).
import type { Tx } from "../db.server";
import { withoutPersonalData } from "./personal-data";
import { redactReferralData, referralExport } from "../loyalty/referrals.server";

type CustomerRef = { shopifyId: string; email?: string | null };

/**
 * The shop's stored webhook bodies that may concern the customer: they mention the customer's id
 * or email. (A body that merely contains the same digits elsewhere is included too: erring that
 * way only erases a little more.)
 */
async function storedEventsOf(tx: Tx, shop: string, customer: CustomerRef) {
  const mentions = [customer.shopifyId, ...(customer.email ? [customer.email] : [])];
  return tx.webhookEvent.findMany({
    where: { shop, payload: { not: null }, OR: mentions.map((text) => ({ payload: { contains: text } })) },
    select: { id: true, topic: true, eventId: true, receivedAt: true, processedAt: true, payload: true },
  });
}

/** customers/data_request: everything we hold on the customer, kept for the owner to retrieve. */
export async function exportCustomerData(
  tx: Tx,
  shop: string,
  request: { customerShopifyId: string; requestId: string | null; orderShopifyIds: string[] },
) {
  const customer = await tx.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: request.customerShopifyId } },
  });
  const orders = await tx.order.findMany({
    where: {
      shop,
      OR: [
        ...(customer ? [{ customerId: customer.id }] : []),
        ...(request.orderShopifyIds.length ? [{ shopifyId: { in: request.orderShopifyIds } }] : []),
      ],
    },
    orderBy: { processedAt: "asc" },
  });
  const ledger = customer ? await tx.ledgerEntry.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } }) : [];
  const redemptions = customer
    ? await tx.redemption.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } })
    : [];
  const rewardNames = new Map(
    (
      await tx.reward.findMany({ where: { id: { in: redemptions.map((r) => r.rewardId) } }, select: { id: true, name: true } })
    ).map((r) => [r.id, r.name]),
  );
  const events = await storedEventsOf(tx, shop, { shopifyId: request.customerShopifyId, email: customer?.email });
  const referral = customer ? await referralExport(tx, shop, customer.id) : null;
  const payload = {
    shop,
    requestId: request.requestId,
    generatedAt: new Date().toISOString(),
    customer: customer && {
      shopifyId: customer.shopifyId,
      email: customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      birthday: customer.birthday,
      tier: customer.tier,
      pointsBalance: customer.pointsBalance,
      enrolledAt: customer.enrolledAt,
    },
    orders: orders.map((o) => ({
      shopifyId: o.shopifyId,
      name: o.name,
      processedAt: o.processedAt,
      subtotal: o.subtotalCents / 100,
      total: o.totalCents / 100,
      currency: o.currency,
      refundedSubtotal: o.refundedSubtotalCents / 100,
      cancelledAt: o.cancelledAt,
      discountCodes: o.discountCodes,
    })),
    pointsHistory: ledger.map((e) => ({ at: e.createdAt, delta: e.delta, kind: e.kind, reason: e.reason })),
    rewardsRedeemed: redemptions.map((r) => ({
      at: r.createdAt,
      reward: rewardNames.get(r.rewardId) ?? null,
      pointsSpent: r.pointsSpent,
      status: r.status,
      code: r.code,
      expiresAt: r.expiresAt,
      usedOnOrder: r.usedOrderId,
    })),
    referral,
    // Webhook bodies still held (they are dropped a few days after processing): as Shopify sent them.
    webhookEvents: events.map((e) => ({
      topic: e.topic,
      eventId: e.eventId,
      receivedAt: e.receivedAt,
      processedAt: e.processedAt,
      body: JSON.parse(e.payload!),
    })),
  };
  return tx.dataExport.create({
    data: { shop, customerShopifyId: request.customerShopifyId, requestId: request.requestId, payload: JSON.stringify(payload) },
  });
}

/**
 * customers/redact: personal data goes from every table; the anonymous customer row, its orders
 * and its ledger stay, so KPIs and the program's liability remain correct. Stored webhook bodies
 * that concern the customer lose it too: a processed one is dropped whole, one still waiting to be
 * processed keeps only what processing needs (ids, amounts), so nothing earned is lost.
 */
export async function redactCustomer(tx: Tx, shop: string, customer: CustomerRef) {
  const row = await tx.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customer.shopifyId } },
    select: { email: true },
  });
  await tx.customer.updateMany({
    where: { shop, shopifyId: customer.shopifyId },
    data: { email: null, firstName: null, lastName: null, birthday: null, birthdayChangedAt: null, redactedAt: new Date() },
  });
  await tx.dataExport.deleteMany({ where: { shop, customerShopifyId: customer.shopifyId } });
  await redactReferralData(tx, shop, customer.shopifyId);
  const email = customer.email ?? row?.email ?? null;
  for (const event of await storedEventsOf(tx, shop, { shopifyId: customer.shopifyId, email })) {
    const payload = event.processedAt ? null : JSON.stringify(withoutPersonalData(JSON.parse(event.payload!)));
    await tx.webhookEvent.update({ where: { id: event.id }, data: { payload } });
  }
}

/** shop/redact (48 hours after uninstall): nothing of the shop remains, not even this event. */
export async function redactShop(tx: Tx, shop: string) {
  await tx.referral.deleteMany({ where: { shop } });
  await tx.referralCode.deleteMany({ where: { shop } });
  await tx.referralFingerprint.deleteMany({ where: { shop } });
  await tx.ledgerEntry.deleteMany({ where: { shop } });
  await tx.tierChange.deleteMany({ where: { shop } });
  await tx.expiryReminder.deleteMany({ where: { shop } });
  await tx.memberSync.deleteMany({ where: { shop } });
  await tx.flowEvent.deleteMany({ where: { shop } });
  await tx.flowTriggerUse.deleteMany({ where: { shop } });
  await tx.redemption.deleteMany({ where: { shop } });
  await tx.reward.deleteMany({ where: { shop } });
  await tx.backfillJob.deleteMany({ where: { shop } });
  await tx.refund.deleteMany({ where: { shop } });
  await tx.order.deleteMany({ where: { shop } });
  // After the orders: deleting them marks their customers stale again.
  await tx.customerOrderHistory.deleteMany({ where: { shop } });
  await tx.customerOrderHistoryStale.deleteMany({ where: { shop } });
  await tx.customer.deleteMany({ where: { shop } });
  await tx.dataExport.deleteMany({ where: { shop } });
  await tx.programSettings.deleteMany({ where: { shop } });
  await tx.onboarding.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.deleteMany({ where: { domain: shop } });
  // The redact event itself goes too (marking it processed then touches no row); a redelivery
  // would run this again and find nothing to delete.
  await tx.webhookEvent.deleteMany({ where: { shop } });
}
