// Shopify as the app sees it from outside: webhook deliveries signed exactly as Shopify signs
// them (HMAC-SHA256 of the raw body with the app's secret, base64), in the documented REST shapes.
import { createHmac, randomUUID } from "node:crypto";
import { TEST_SECRET } from "./server";

export const SHOP = "regulars-test.myshopify.com";

export type Delivery = { status: number; body: string; headers: Headers };

type DeliveryOptions = {
  shop?: string;
  secret?: string;
  eventId?: string;
  rawBody?: string;
  headers?: Record<string, string | null>;
};

/** Delivers a webhook to the running server over HTTP. */
export async function deliverWebhook(
  baseUrl: string,
  topic: string,
  payload: unknown,
  options: DeliveryOptions = {},
): Promise<Delivery> {
  const response = await fetch(webhookRequest(baseUrl, topic, payload, options));
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The request Shopify sends for a webhook: for `fetch`, or for a route's action called in-process. */
export function webhookRequest(baseUrl: string, topic: string, payload: unknown, options: DeliveryOptions = {}): Request {
  const body = options.rawBody ?? JSON.stringify(payload);
  const hmac = createHmac("sha256", options.secret ?? TEST_SECRET)
    .update(body, "utf8")
    .digest("base64");
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": hmac,
    "X-Shopify-Shop-Domain": options.shop ?? SHOP,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return new Request(`${baseUrl}/webhooks/${topic}`, { method: "POST", headers, body });
}

let nextId = 5_000_000_000;
export const newId = () => nextId++;

type OrderOptions = {
  id?: number;
  customerId?: number | null;
  subtotal?: string;
  total?: string;
  currency?: string;
  presentment?: { currency: string; subtotal: string; total: string };
  test?: boolean;
  processedAt?: string;
  cancelledAt?: string | null;
  refunds?: unknown[];
  discountCodes?: string[];
};

/** An order in the shape of Shopify's REST order webhooks (orders/paid, orders/cancelled). */
export function orderPayload(o: OrderOptions = {}) {
  const id = o.id ?? newId();
  const currency = o.currency ?? "USD";
  const subtotal = o.subtotal ?? "100.00";
  const total = o.total ?? subtotal;
  const presentment = o.presentment ?? { currency, subtotal, total };
  const set = (shop: string, pres: string) => ({
    shop_money: { amount: shop, currency_code: currency },
    presentment_money: { amount: pres, currency_code: presentment.currency },
  });
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 100000)}`,
    email: "shopper@example.com",
    created_at: o.processedAt ?? "2026-11-01T10:00:00-05:00",
    processed_at: o.processedAt ?? "2026-11-01T10:00:00-05:00",
    updated_at: "2026-11-01T10:00:05-05:00",
    cancelled_at: o.cancelledAt ?? null,
    cancel_reason: o.cancelledAt ? "customer" : null,
    currency,
    presentment_currency: presentment.currency,
    financial_status: "paid",
    fulfillment_status: null,
    test: o.test ?? false,
    subtotal_price: subtotal,
    subtotal_price_set: set(subtotal, presentment.subtotal),
    current_subtotal_price: subtotal,
    total_price: total,
    total_price_set: set(total, presentment.total),
    total_tax: "0.00",
    total_discounts: "0.00",
    discount_codes: (o.discountCodes ?? []).map((code) => ({ code, amount: "10.00", type: "fixed_amount" })),
    customer:
      o.customerId === null
        ? null
        : {
            id: o.customerId ?? 7_000_000_001,
            email: "shopper@example.com",
            first_name: "Sam",
            last_name: "Shopper",
            admin_graphql_api_id: `gid://shopify/Customer/${o.customerId ?? 7_000_000_001}`,
          },
    line_items: [{ id: newId(), title: "Coffee beans", quantity: 1, price: subtotal, sku: "BEANS-1", taxable: true }],
    shipping_lines: [{ title: "Standard", price: "5.00" }],
    refunds: o.refunds ?? [],
  };
}

/** A refund in the shape of refunds/create. `subtotal` is the refunded line subtotal. */
export function refundPayload(orderId: number, subtotal: string, options: { id?: number; currency?: string } = {}) {
  const id = options.id ?? newId();
  const currency = options.currency ?? "USD";
  return {
    id,
    order_id: orderId,
    created_at: "2026-11-03T09:00:00-05:00",
    processed_at: "2026-11-03T09:00:00-05:00",
    note: "Customer return",
    restock: true,
    refund_line_items: [
      {
        id: newId(),
        quantity: 1,
        line_item_id: newId(),
        subtotal: Number(subtotal),
        subtotal_set: {
          shop_money: { amount: subtotal, currency_code: currency },
          presentment_money: { amount: subtotal, currency_code: currency },
        },
        total_tax: 0,
      },
    ],
    transactions: [{ id: newId(), kind: "refund", status: "success", amount: subtotal, currency }],
    order_adjustments: [],
  };
}

export function customerPayload(id: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    email: `customer${id}@example.com`,
    first_name: "Riley",
    last_name: "Regular",
    created_at: "2026-11-01T10:00:00-05:00",
    updated_at: "2026-11-01T10:00:00-05:00",
    state: "enabled",
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    ...extra,
  };
}
