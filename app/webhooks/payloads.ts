// Shopify's REST webhook payloads (API 2026-10), reduced to what Regulars reads, and mapped to
// our own shapes. Unknown fields are ignored; missing required ones are a 400 at the door.
// Every value that reaches the database is bounded here (docs/decisions/0009-hostile-input.md):
// ids are positive safe integers, money fits the ledger's integer cents, text is well-formed
// Unicode of sane length. A payload that passes these checks can always be processed.
import { z } from "zod/v4";
import { MAX_MONEY_CENTS, toCents } from "../loyalty/money";
import type { CustomerRecord, OrderRecord, ReferralSignals, RefundRecord } from "../loyalty/records";

/**
 * Shopify ids are 64-bit, but every id Shopify issues today is far below 2^53 and JSON numbers
 * beyond it have already lost digits by the time they are parsed: such an id is refused, never
 * rounded into another order's id.
 */
const id = z
  .union([
    z
      .number()
      .positive()
      .refine(Number.isInteger, { message: "an id is a whole number", abort: true })
      .refine(Number.isSafeInteger, "an id beyond 2^53 (digits would be lost)"),
    z
      .string()
      .regex(/^\d{1,16}$/, "an id of digits")
      .refine((v) => Number.isSafeInteger(Number(v)) && Number(v) > 0, "an id beyond 2^53"),
  ])
  .transform((v) => String(Number(v)));

/** Text as stored: lone UTF-16 surrogates (invalid in UTF-8 and in PostgreSQL) become U+FFFD. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .transform((v) => v.toWellFormed());

const money = z.union([z.string().max(40), z.number()]).transform((v, ctx) => {
  try {
    const cents = toCents(v);
    if (cents < 0 || cents > MAX_MONEY_CENTS) throw new RangeError();
    return cents;
  } catch {
    ctx.addIssue({
      code: "custom",
      message: `not an amount between 0 and ${MAX_MONEY_CENTS / 100}: ${String(v).slice(0, 40)}`,
    });
    return z.NEVER;
  }
});
const moneySet = z.object({ shop_money: z.object({ amount: money }) }).optional();
/**
 * An ISO 8601 date-time with a `Z` or numeric offset: zod 3's `datetime({ offset: true })` rule,
 * kept exactly (zod 4's own rule refuses offsets such as `+0530` that this accepted).
 */
const DATETIME =
  /^((\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|(02)-(0[1-9]|1\d|2[0-8])))T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|([+-]\d{2}:?\d{2}))$/;
const timestamp = z
  .string()
  .max(40)
  .regex(DATETIME, "Invalid datetime")
  .transform((v) => new Date(v));

const customerRef = z.object({
  id,
  email: text(320).nullish(),
  // Read for referral checks only: a phone we cannot read is ignored, never a refused payload.
  phone: text(64).nullish().catch(null),
  first_name: text(255).nullish(),
  last_name: text(255).nullish(),
});

const refundPayload = z
  .object({
    id,
    order_id: id,
    created_at: timestamp,
    processed_at: timestamp.nullish(),
    refund_line_items: z
      .array(z.object({ subtotal: money.optional(), subtotal_set: moneySet }))
      .max(10_000)
      .default([]),
  })
  .refine((r) => refundSubtotal(r) <= MAX_MONEY_CENTS, {
    message: `refunded subtotal over ${MAX_MONEY_CENTS / 100}`,
    path: ["refund_line_items"],
  });

const orderPayload = z.object({
  id,
  name: text(255).nullish(),
  customer: customerRef.nullish(),
  // Shop-currency amounts: `*_set.shop_money` when present, else the plain field (also shop money).
  subtotal_price: money,
  subtotal_price_set: moneySet,
  total_price: money,
  total_price_set: moneySet,
  currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD"),
  financial_status: text(64).nullish(),
  test: z.boolean().default(false),
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  cancelled_at: timestamp.nullish(),
  refunds: z.array(refundPayload).max(1_000).default([]),
  discount_codes: z
    .array(z.object({ code: text(255) }))
    .max(250)
    .default([]),
  // Read for referrals only (app/loyalty/referrals.ts): the cart attribute and the contact points.
  note_attributes: z
    .array(z.object({ name: text(255), value: z.union([text(1000), z.number(), z.null()]).optional() }))
    .max(250)
    .optional()
    .catch(undefined),
  email: text(320).nullish().catch(null),
  contact_email: text(320).nullish().catch(null),
  phone: text(64).nullish().catch(null),
  shipping_address: z
    .object({
      address1: text(255).nullish(),
      address2: text(255).nullish(),
      zip: text(64).nullish(),
      country_code: text(8).nullish(),
      phone: text(64).nullish(),
    })
    .nullish()
    .catch(null),
});

/** The referral code the storefront put in the cart, and the contact points to compare it with. */
function referralSignals(o: z.infer<typeof orderPayload>): ReferralSignals {
  const attribute = o.note_attributes?.find((a) => a.name === "regulars_referral");
  const code = attribute?.value === undefined || attribute.value === null ? null : String(attribute.value).trim() || null;
  const present = (...values: (string | null | undefined)[]) => values.filter((v): v is string => Boolean(v?.trim()));
  const a = o.shipping_address;
  return {
    code,
    emails: present(o.email, o.contact_email, o.customer?.email),
    phones: present(o.phone, o.customer?.phone, a?.phone),
    shippingAddress:
      a && a.address1?.trim() ? [a.address1, a.address2, a.zip, a.country_code].map((p) => p ?? "").join("|") : null,
  };
}

type RefundInput = { refund_line_items: { subtotal?: number; subtotal_set?: { shop_money: { amount: number } } }[] };

function refundSubtotal(refund: RefundInput): number {
  return refund.refund_line_items.reduce((sum, line) => sum + (line.subtotal_set?.shop_money.amount ?? line.subtotal ?? 0), 0);
}

function toRefund(refund: z.infer<typeof refundPayload>): RefundRecord {
  return {
    shopifyId: refund.id,
    orderShopifyId: refund.order_id,
    subtotalCents: refundSubtotal(refund),
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
  referral: referralSignals(o),
}));

export const refundSchema = refundPayload.transform(toRefund);

/**
 * Customer metafields come in customers/* payloads only when the subscription lists their
 * namespace (`facts` for Shopify's standard `facts.birth_date`, a `date` value YYYY-MM-DD).
 * A malformed list is ignored rather than refusing the customer.
 */
const metafields = z
  .array(z.object({ namespace: z.string().max(255), key: z.string().max(255), value: z.unknown() }))
  .max(250)
  .optional()
  .catch(undefined);

function birthDateOf(fields: z.infer<typeof metafields>): string | null {
  const field = fields?.find((m) => m.namespace === "facts" && m.key === "birth_date");
  return typeof field?.value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(field.value) ? field.value : null;
}

export const customerSchema = customerRef
  .extend({ metafields })
  .transform((c): CustomerRecord => ({ ...toCustomer(c), birthDate: birthDateOf(c.metafields) }));

export const customerDataRequestSchema = z.object({
  shop_domain: text(255),
  customer: z.object({ id, email: text(320).nullish() }),
  orders_requested: z.array(id).max(10_000).default([]),
  data_request: z.object({ id }).optional(),
});

export const customerRedactSchema = z.object({
  shop_domain: text(255),
  customer: z.object({ id, email: text(320).nullish() }),
  orders_to_redact: z.array(id).max(10_000).default([]),
});

export const shopRedactSchema = z.object({ shop_domain: text(255) });

export const anyObject = z.looseObject({});

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

/** The reasons of a refused payload: each problem's path and message. */
export function describeIssues(error: z.ZodError): string {
  return flatten(error.issues)
    .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
    .join("; ");
}

type Issue = { code: string; path: PropertyKey[]; message: string; errors?: Issue[][] };

/**
 * A value no option of a union takes is, to zod 4, just "Invalid input"; the reason names what
 * was wrong with it, as zod 3's did, when its type fit one option (an id past 2^53, say).
 */
function flatten(issues: readonly Issue[], prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors) {
      const fitting = issue.errors.find((option) => !option.every((i) => i.code === "invalid_type" && i.path.length === 0));
      if (fitting) return flatten(fitting, path);
    }
    return [{ path, message: issue.message }];
  });
}
