// Hand-made order histories written straight into the database with Prisma, for analytics tests.
import { db } from "../../app/db.server";

let nextShopifyId = 1;

export async function shopWith(
  domain: string,
  timezone = "UTC",
  settings: { activeWindowDays?: number; pointsPerUnit?: number } = {},
) {
  await db.shop.create({ data: { domain, timezone, currency: "USD" } });
  await db.programSettings.create({ data: { shop: domain, ...settings } });
}

export async function customer(shop: string, options: { name?: string; enrolledAt?: string | null } = {}) {
  const id = nextShopifyId++;
  return db.customer.create({
    data: {
      shop,
      shopifyId: String(id),
      email: `c${id}@example.com`,
      firstName: options.name ?? `Customer${id}`,
      lastName: "Test",
      enrolledAt: options.enrolledAt ? new Date(options.enrolledAt) : null,
    },
  });
}

export interface OrderSpec {
  customerId?: number | null;
  at: string;
  subtotal?: number; // currency units
  refunded?: number;
  test?: boolean;
  cancelled?: boolean;
}

export async function order(shop: string, spec: OrderSpec) {
  const id = nextShopifyId++;
  const subtotalCents = Math.round((spec.subtotal ?? 100) * 100);
  return db.order.create({
    data: {
      shop,
      shopifyId: String(id),
      name: `#${id}`,
      customerId: spec.customerId ?? null,
      processedAt: new Date(spec.at),
      subtotalCents,
      totalCents: subtotalCents,
      currency: "USD",
      refundedSubtotalCents: Math.round((spec.refunded ?? 0) * 100),
      test: spec.test ?? false,
      cancelledAt: spec.cancelled ? new Date(spec.at) : null,
    },
  });
}

/** Many customers with one order each at `at` (for the textbook-sized examples). */
export async function customersOrderingAt(shop: string, count: number, at: string, subtotal = 50) {
  const start = nextShopifyId;
  nextShopifyId += count * 2;
  const created = await db.customer.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ shop, shopifyId: `bulk-${start + i}` })),
    select: { id: true },
  });
  await db.order.createMany({
    data: created.map((c, i) => ({
      shop,
      shopifyId: `bulk-order-${start + i}`,
      customerId: c.id,
      processedAt: new Date(at),
      subtotalCents: subtotal * 100,
      totalCents: subtotal * 100,
      currency: "USD",
    })),
  });
  return created.map((c) => c.id);
}

export async function ledger(shop: string, customerId: number, delta: number, kind: string, at: string) {
  const id = nextShopifyId++;
  return db.ledgerEntry.create({
    data: { shop, customerId, delta, kind, reason: kind, idempotencyKey: `test:${id}`, createdAt: new Date(at) },
  });
}
