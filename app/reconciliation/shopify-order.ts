// An order as Shopify's orders query reads it (app/shopify/orders.server.ts), in the records the
// webhooks produce, so a repair goes through the same merges as a delivery.
import { toCents } from "../loyalty/money";
import type { OrderRecord, RefundRecord } from "../loyalty/records";
import type { OrderNode } from "../shopify/orders.server";

/** What Shopify says an order is now, in the webhook path's terms. */
export type ShopifyOrder = OrderRecord & { updatedAt: Date };

export function shopifyOrder(node: OrderNode): ShopifyOrder {
  const refunds: RefundRecord[] = node.refunds.map((r) => ({
    shopifyId: r.id,
    orderShopifyId: node.id,
    subtotalCents: r.refundLineItems.nodes.reduce((sum, line) => sum + toCents(line.subtotalSet), 0),
    createdAt: r.createdAt,
  }));
  const email = node.customer?.defaultEmailAddress?.emailAddress ?? null;
  return {
    shopifyId: node.id,
    name: node.name,
    customer: node.customer
      ? { shopifyId: node.customer.id, email, firstName: node.customer.firstName, lastName: node.customer.lastName }
      : null,
    processedAt: node.processedAt ?? node.createdAt,
    updatedAt: node.updatedAt,
    subtotalCents: toCents(node.subtotalPriceSet),
    totalCents: toCents(node.totalPriceSet),
    currency: node.currencyCode,
    // The REST webhooks' spelling (PARTIALLY_REFUNDED → partially_refunded), as stored.
    financialStatus: node.displayFinancialStatus?.toLowerCase() ?? null,
    cancelledAt: node.cancelledAt,
    test: node.test,
    discountCodes: node.discountCodes,
    refunds,
  };
}
