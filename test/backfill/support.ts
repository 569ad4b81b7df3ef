// Backfill tests: a fresh database, the Admin API answered by msw, and the app's real Shopify
// client (`unauthenticated.admin(shop)` from @shopify/shopify-app-remix) talking to it.
import { setupServer } from "msw/node";
import { db } from "../../app/db.server";
import type { AdminGraphql } from "../../app/shopify/bulk.server";
import { expiringOfflineToken } from "../support/admin-session";
import { useFreshDatabase } from "../support/database";

// Listening as this module loads: the Shopify library keeps a reference to `fetch` when it is
// first imported (by any app module), so msw must have patched it before. Import this file first.
export const server = setupServer();
server.listen({ onUnhandledRequest: "error" });

let unauthenticatedAdmin: ((shop: string) => Promise<{ admin: AdminGraphql }>) | undefined;

export async function startBackfillEnvironment() {
  await useFreshDatabase();
  const { unauthenticated } = await import("../../app/shopify.server");
  unauthenticatedAdmin = unauthenticated.admin;
}

export async function stopBackfillEnvironment() {
  server.close();
  await db.$disconnect();
}

let shops = 0;
/** A shop of its own per test, installed, with the offline session the background loop uses. */
export async function installedShop(): Promise<{ shop: string; admin: AdminGraphql }> {
  const shop = `backfill-${process.pid}-${++shops}.myshopify.com`;
  await db.shop.create({ data: { domain: shop } });
  await db.programSettings.create({ data: { shop } });
  await db.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      ...expiringOfflineToken("shpat_test_token"),
      scope: "read_orders,read_all_orders,read_customers",
    },
  });
  const { admin } = await unauthenticatedAdmin!(shop);
  return { shop, admin };
}

/** What a shop's tables hold, in a form two runs can be compared by. */
export async function snapshot(shop: string) {
  const orders = await db.order.findMany({ where: { shop }, orderBy: { shopifyId: "asc" }, include: { customer: true } });
  const refunds = await db.refund.findMany({ where: { shop }, orderBy: { shopifyId: "asc" } });
  const customers = await db.customer.findMany({ where: { shop }, orderBy: { shopifyId: "asc" } });
  return {
    orders: orders.map((o) => ({
      shopifyId: o.shopifyId,
      name: o.name,
      customer: o.customer?.shopifyId ?? null,
      processedAt: o.processedAt.toISOString(),
      subtotalCents: o.subtotalCents,
      totalCents: o.totalCents,
      refundedSubtotalCents: o.refundedSubtotalCents,
      financialStatus: o.financialStatus,
      cancelledAt: o.cancelledAt?.toISOString() ?? null,
      test: o.test,
    })),
    refunds: refunds.map((r) => ({
      shopifyId: r.shopifyId,
      order: r.orderShopifyId,
      subtotalCents: r.subtotalCents,
      createdAt: r.createdAt.toISOString(),
    })),
    customers: customers.map((c) => ({
      shopifyId: c.shopifyId,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      points: c.pointsBalance,
    })),
    ledger: await db.ledgerEntry.count({ where: { shop } }),
  };
}
