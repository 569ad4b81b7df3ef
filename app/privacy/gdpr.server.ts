// Shopify's mandatory compliance topics: export, erase a customer, erase a shop.
import type { Tx } from "../db.server";

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
  const ledger = customer
    ? await tx.ledgerEntry.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } })
    : [];
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
      shopifyId: o.shopifyId, name: o.name, processedAt: o.processedAt, subtotal: o.subtotalCents / 100,
      total: o.totalCents / 100, currency: o.currency, refundedSubtotal: o.refundedSubtotalCents / 100,
      cancelledAt: o.cancelledAt, discountCodes: o.discountCodes,
    })),
    pointsHistory: ledger.map((e) => ({ at: e.createdAt, delta: e.delta, kind: e.kind, reason: e.reason })),
  };
  return tx.dataExport.create({
    data: { shop, customerShopifyId: request.customerShopifyId, requestId: request.requestId, payload: JSON.stringify(payload) },
  });
}

/**
 * customers/redact: personal data goes; the anonymous customer row, its orders and its ledger stay,
 * so KPIs and the program's liability remain correct.
 */
export async function redactCustomer(tx: Tx, shop: string, customerShopifyId: string) {
  await tx.customer.updateMany({
    where: { shop, shopifyId: customerShopifyId },
    data: { email: null, firstName: null, lastName: null, birthday: null, redactedAt: new Date() },
  });
  await tx.dataExport.deleteMany({ where: { shop, customerShopifyId } });
}

/** shop/redact (48 hours after uninstall): nothing of the shop remains. */
export async function redactShop(tx: Tx, shop: string) {
  await tx.ledgerEntry.deleteMany({ where: { shop } });
  await tx.refund.deleteMany({ where: { shop } });
  await tx.order.deleteMany({ where: { shop } });
  await tx.customer.deleteMany({ where: { shop } });
  await tx.dataExport.deleteMany({ where: { shop } });
  await tx.programSettings.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.deleteMany({ where: { domain: shop } });
  // The redact event itself is the last trace: keep only that, processed.
  await tx.webhookEvent.deleteMany({ where: { shop, NOT: { topic: "SHOP_REDACT" } } });
}
