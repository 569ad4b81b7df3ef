// Shopify's REST webhook payloads (API 2025-10), reduced to what Regulars reads, and mapped to
// our own shapes. Unknown fields are ignored; missing required ones are a 400 at the door.
import { z } from "zod";
import { toCents } from "../loyalty/money";

const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return toCents(v);
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a money amount: ${v}` });
    return z.NEVER;
  }
});
const moneySet = z.object({ shop_money: z.object({ amount: money }) }).optional();
const timestamp = z.string().datetime({ offset: true }).transform((v) => new Date(v));

const customerRef = z.object({
  id,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

const refundPayload = z.object({
  id,
  order_id: id,
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  refund_line_items: z
    .array(z.object({ subtotal: money.optional(), subtotal_set: moneySet }))
    .default([]),
});

const orderPayload = z.object({
  id,
  name: z.string().nullish(),
  customer: customerRef.nullish(),
  // Shop-currency amounts: `*_set.shop_money` when present, else the plain field (also shop money).
  subtotal_price: money,
  subtotal_price_set: moneySet,
  total_price: money,
  total_price_set: moneySet,
  currency: z.string().min(3),
  financial_status: z.string().nullish(),
  test: z.boolean().default(false),
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  cancelled_at: timestamp.nullish(),
  refunds: z.array(refundPayload).default([]),
  discount_codes: z.array(z.object({ code: z.string() })).default([]),
});

export type RefundRecord = { shopifyId: string; orderShopifyId: string; subtotalCents: number; createdAt: Date };

export type OrderRecord = {
  shopifyId: string;
  name: string | null;
  customer: CustomerRecord | null;
  processedAt: Date;
  subtotalCents: number;
  totalCents: number;
  currency: string;
  financialStatus: string | null;
  cancelledAt: Date | null;
  test: boolean;
  discountCodes: string[];
  refunds: RefundRecord[];
};

export type CustomerRecord = {
  shopifyId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
};

function toRefund(refund: z.infer<typeof refundPayload>): RefundRecord {
  return {
    shopifyId: refund.id,
    orderShopifyId: refund.order_id,
    subtotalCents: refund.refund_line_items.reduce(
      (sum, line) => sum + (line.subtotal_set?.shop_money.amount ?? line.subtotal ?? 0),
      0,
    ),
    createdAt: refund.processed_at ?? refund.created_at,
  };
}

function toCustomer(customer: z.infer<typeof customerRef>): CustomerRecord {
  return {
    shopifyId: customer.id,
    email: customer.email ?? null,
    firstName: customer.first_name ?? null,
    lastName: customer.last_name ?? null,
  };
}

export const orderSchema = orderPayload.transform((o): OrderRecord => ({
  shopifyId: o.id,
  name: o.name ?? null,
  customer: o.customer ? toCustomer(o.customer) : null,
  processedAt: o.processed_at ?? o.created_at,
  subtotalCents: o.subtotal_price_set?.shop_money.amount ?? o.subtotal_price,
  totalCents: o.total_price_set?.shop_money.amount ?? o.total_price,
  currency: o.currency,
  financialStatus: o.financial_status ?? null,
  cancelledAt: o.cancelled_at ?? null,
  test: o.test,
  discountCodes: o.discount_codes.map((d) => d.code),
  refunds: o.refunds.map(toRefund),
}));

export const refundSchema = refundPayload.transform(toRefund);

export const customerSchema = customerRef.transform(toCustomer);

export const customerDataRequestSchema = z.object({
  shop_domain: z.string(),
  customer: z.object({ id, email: z.string().nullish() }),
  orders_requested: z.array(id).default([]),
  data_request: z.object({ id }).optional(),
});

export const customerRedactSchema = z.object({
  shop_domain: z.string(),
  customer: z.object({ id, email: z.string().nullish() }),
  orders_to_redact: z.array(id).default([]),
});

export const shopRedactSchema = z.object({ shop_domain: z.string() });

export const anyObject = z.object({}).passthrough();

/** Every topic we subscribe to, with the schema its payload must satisfy. */
export const TOPICS = {
  ORDERS_PAID: orderSchema,
  ORDERS_CANCELLED: orderSchema,
  REFUNDS_CREATE: refundSchema,
  CUSTOMERS_CREATE: customerSchema,
  CUSTOMERS_UPDATE: customerSchema,
  APP_UNINSTALLED: anyObject,
  CUSTOMERS_DATA_REQUEST: customerDataRequestSchema,
  CUSTOMERS_REDACT: customerRedactSchema,
  SHOP_REDACT: shopRedactSchema,
} as const;

export type Topic = keyof typeof TOPICS;

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
