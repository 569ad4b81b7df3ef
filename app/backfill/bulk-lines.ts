// One line of a bulk-operation result file (app/shopify/bulk.server.ts runs the queries) read into
// the records Regulars keeps. Hand-checked rather than zod: a million lines go through here.
// The field names are those of the orders and customers queries in BULK_QUERIES; change both together.
import { toCents } from "../loyalty/money";
import type { CustomerRecord, OrderRecord, RefundRecord } from "../loyalty/records";
import { legacyId, type BulkExport } from "../shopify/bulk.server";

/** A line that does not have the shape our query asked for. */
export class BulkLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BulkLineError";
  }
}

type Json = Record<string, unknown>;

function field(obj: Json, key: string): unknown {
  return obj[key];
}
function str(obj: Json, key: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "") throw new BulkLineError(`${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}
function optStr(obj: Json, key: string): string | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") throw new BulkLineError(`${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}
function date(obj: Json, key: string): Date {
  const d = new Date(str(obj, key));
  if (Number.isNaN(d.getTime())) throw new BulkLineError(`${key}: not a date: ${JSON.stringify(obj[key])}`);
  return d;
}
function optDate(obj: Json, key: string): Date | null {
  return obj[key] === null || obj[key] === undefined ? null : date(obj, key);
}
function object(obj: Json, key: string): Json {
  const v = obj[key];
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BulkLineError(`${key}: expected an object`);
  return v as Json;
}
/** `{ shopMoney: { amount } }` → cents. */
function shopMoney(obj: Json, key: string): number {
  const amount = object(object(obj, key), "shopMoney").amount;
  try {
    return toCents(amount as string);
  } catch {
    throw new BulkLineError(`${key}.shopMoney.amount: not a money amount: ${JSON.stringify(amount)}`);
  }
}

function customerFrom(node: Json): CustomerRecord {
  const email = node.defaultEmailAddress as Json | null | undefined;
  // Shopify's `facts.birth_date` metafield (a date, YYYY-MM-DD), asked for in the customers export only.
  const birthDate = node.birthDate as Json | null | undefined;
  return {
    shopifyId: legacyId(str(node, "id")),
    email: email ? optStr(email, "emailAddress") : null,
    firstName: optStr(node, "firstName"),
    lastName: optStr(node, "lastName"),
    ...(birthDate ? { birthDate: optStr(birthDate, "value") } : {}),
  };
}

/**
 * Splits an order's refunded subtotal (subtotal before minus after returns) over its refunds in
 * proportion to each refund's total, since a bulk query cannot read refund line items. Exact for
 * the order (and so for revenue and clawbacks); approximate only between refunds of one order.
 */
function allocateRefunds(orderId: string, refundedCents: number, refunds: Json[]): RefundRecord[] {
  const weights = refunds.map((r) => Math.max(0, shopMoney(r, "totalRefundedSet")));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  let left = refundedCents;
  return refunds.map((r, i) => {
    const last = i === refunds.length - 1;
    const share = last
      ? left
      : totalWeight > 0
        ? Math.floor((refundedCents * weights[i]) / totalWeight)
        : Math.floor(refundedCents / refunds.length);
    left -= share;
    return { shopifyId: legacyId(str(r, "id")), orderShopifyId: orderId, subtotalCents: share, createdAt: date(r, "createdAt") };
  });
}

function orderFrom(node: Json): OrderRecord {
  const shopifyId = legacyId(str(node, "id"));
  const subtotalCents = shopMoney(node, "subtotalPriceSet");
  const currentSubtotal = node.currentSubtotalPriceSet ? shopMoney(node, "currentSubtotalPriceSet") : subtotalCents;
  const refunds = field(node, "refunds") ?? [];
  if (!Array.isArray(refunds)) throw new BulkLineError("refunds: expected a list");
  const codes = field(node, "discountCodes") ?? [];
  if (!Array.isArray(codes)) throw new BulkLineError("discountCodes: expected a list");
  const test = field(node, "test") ?? false;
  if (typeof test !== "boolean") throw new BulkLineError(`test: expected a boolean, got ${JSON.stringify(test)}`);
  const customer = node.customer as Json | null | undefined;
  return {
    shopifyId,
    name: optStr(node, "name"),
    customer: customer ? customerFrom(customer) : null,
    processedAt: optDate(node, "processedAt") ?? date(node, "createdAt"),
    subtotalCents,
    totalCents: shopMoney(node, "totalPriceSet"),
    currency: str(node, "currencyCode"),
    // REST spells the status in lower case (orders/paid `financial_status: "paid"`).
    financialStatus: optStr(node, "displayFinancialStatus")?.toLowerCase() ?? null,
    cancelledAt: optDate(node, "cancelledAt"),
    test,
    discountCodes: codes.map(String),
    refunds: allocateRefunds(shopifyId, Math.max(0, subtotalCents - currentSubtotal), refunds as Json[]),
  };
}

export type BulkRecord =
  | { kind: "order"; order: OrderRecord }
  | { kind: "customer"; customer: CustomerRecord }
  /** A node of a nested connection (`__parentId`): none in our queries today; counted, not stored. */
  | { kind: "child"; parentId: string };

/** One JSONL line of an export → a record. Throws BulkLineError when the line is not ours. */
export function parseBulkLine(what: BulkExport, text: string): BulkRecord {
  let node: Json;
  try {
    node = JSON.parse(text);
  } catch (error) {
    throw new BulkLineError(`not JSON (${(error as Error).message}): ${text.slice(0, 80)}`);
  }
  if (!node || typeof node !== "object" || Array.isArray(node)) throw new BulkLineError("not a JSON object");
  if (typeof node.__parentId === "string") return { kind: "child", parentId: legacyId(node.__parentId) };
  return what === "orders" ? { kind: "order", order: orderFrom(node) } : { kind: "customer", customer: customerFrom(node) };
}
