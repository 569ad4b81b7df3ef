// Admin GraphQL bulk operations (API 2026-10): the shop's order and customer history as JSONL.
// The only module that knows the bulk-operation GraphQL shapes.
//
// Shapes that matter (shopify.dev, 2026-10):
// - `bulkOperationRunQuery(query:, groupObjects:)` → `{ bulkOperation { id status }, userErrors }`;
//   one bulk *query* may run per app and shop at a time.
// - A BulkOperation is a Node: poll `node(id:)` for `status` (CREATED, RUNNING, COMPLETED, FAILED,
//   CANCELING, CANCELED, EXPIRED), `objectCount` (UnsignedInt64, a string: every line of the file),
//   `rootObjectCount`, `errorCode`, and `url` (a signed download URL, valid seven days; null when
//   the query matched nothing).
// - In the JSONL, each node of a connection is one line; nodes of a nested connection are lines of
//   their own carrying `__parentId`. List fields (like `Order.refunds`) stay inline in their parent.
//   A connection inside a list is refused ("Queries that contain a connection field within a list
//   field are not currently supported"), so `Refund.refundLineItems` cannot be read here: the
//   order query takes the refunds' headers and the order's subtotal before and after refunds.
import { z } from "zod";
import { toCents } from "../loyalty/money";
import type { CustomerRecord, OrderRecord, RefundRecord } from "../webhooks/payloads";
import type { AdminGraphql } from "./shop.server";

export type { AdminGraphql };

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export type BulkOperation = {
  id: string;
  status: BulkStatus;
  errorCode: string | null;
  /** Lines in the result file so far (every object, nested ones included). */
  objectCount: number;
  rootObjectCount: number;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string | null;
  completedAt: string | null;
};

/** What a bulk export covers. */
export type BulkExport = "orders" | "customers";

// Orders with their customer, shop-currency money, cancellation, test flag and refunds.
// `subtotalPriceSet` is the subtotal after discounts and before returns (REST `subtotal_price`,
// what orders/paid earns on); `currentSubtotalPriceSet` is the same after returns and refunds.
const ORDERS = `{
  orders {
    edges {
      node {
        id
        name
        createdAt
        processedAt
        cancelledAt
        test
        currencyCode
        displayFinancialStatus
        discountCodes
        subtotalPriceSet { shopMoney { amount } }
        currentSubtotalPriceSet { shopMoney { amount } }
        totalPriceSet { shopMoney { amount } }
        customer { id firstName lastName defaultEmailAddress { emailAddress } }
        refunds { id createdAt totalRefundedSet { shopMoney { amount } } }
      }
    }
  }
}`;

const CUSTOMERS = `{
  customers {
    edges {
      node { id firstName lastName defaultEmailAddress { emailAddress } }
    }
  }
}`;

export const BULK_QUERIES: Record<BulkExport, string> = { orders: ORDERS, customers: CUSTOMERS };

const OPERATION_FIELDS = `id status errorCode objectCount rootObjectCount url partialDataUrl createdAt completedAt`;

const RUN_QUERY = `#graphql
  mutation RegularsBulkRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation { ${OPERATION_FIELDS} }
      userErrors { field message code }
    }
  }`;

const POLL = `#graphql
  query RegularsBulkOperation($id: ID!) {
    node(id: $id) { ... on BulkOperation { ${OPERATION_FIELDS} } }
  }`;

const CURRENT = `#graphql
  query RegularsCurrentBulkOperation {
    currentBulkOperation(type: QUERY) { ${OPERATION_FIELDS} }
  }`;

const count = z.union([z.string(), z.number()]).transform(Number);
const operationSchema = z.object({
  id: z.string(),
  status: z.enum(["CREATED", "RUNNING", "COMPLETED", "FAILED", "CANCELING", "CANCELED", "EXPIRED"]),
  errorCode: z.string().nullish().transform((v) => v ?? null),
  objectCount: count.nullish().transform((v) => v ?? 0),
  rootObjectCount: count.nullish().transform((v) => v ?? 0),
  url: z.string().nullish().transform((v) => v ?? null),
  partialDataUrl: z.string().nullish().transform((v) => v ?? null),
  createdAt: z.string().nullish().transform((v) => v ?? null),
  completedAt: z.string().nullish().transform((v) => v ?? null),
});

const userErrors = z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string(), code: z.string().nullish() }));

const runResponse = z.object({
  data: z.object({
    bulkOperationRunQuery: z.object({ bulkOperation: operationSchema.nullish(), userErrors }),
  }),
});
const pollResponse = z.object({ data: z.object({ node: operationSchema.nullish() }) });
const currentResponse = z.object({ data: z.object({ currentBulkOperation: operationSchema.nullish() }) });

/** Shopify refused the request (`userErrors` or GraphQL `errors`); the message says why. */
export class BulkOperationError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "BulkOperationError";
  }
}

async function call<S extends z.ZodTypeAny>(
  admin: AdminGraphql, query: string, schema: S, variables?: Record<string, unknown>,
): Promise<z.output<S>> {
  const response = await admin.graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new BulkOperationError(`Admin API error: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return schema.parse(body);
}

/**
 * Starts the export. When a bulk query of ours is already running for the shop (we crashed after
 * creating it and before storing its id), that operation is returned instead: this app runs no
 * other bulk queries, so it is the one we asked for.
 */
export async function startBulkExport(admin: AdminGraphql, what: BulkExport): Promise<BulkOperation> {
  const { data } = await call(admin, RUN_QUERY, runResponse, { query: BULK_QUERIES[what] });
  const { bulkOperation, userErrors: errors } = data.bulkOperationRunQuery;
  if (errors.length > 0) {
    const inProgress = errors.find((e) => /already in progress/i.test(e.message) || e.code === "OPERATION_IN_PROGRESS");
    if (inProgress) {
      const current = await currentBulkOperation(admin);
      if (current && (current.status === "CREATED" || current.status === "RUNNING")) return current;
    }
    throw new BulkOperationError(
      `bulkOperationRunQuery refused: ${errors.map((e) => `${e.field?.join(".") ?? "query"}: ${e.message}`).join("; ")}`,
      errors[0].code ?? null,
    );
  }
  if (!bulkOperation) throw new BulkOperationError("bulkOperationRunQuery returned no operation");
  return bulkOperation;
}

export async function bulkOperation(admin: AdminGraphql, id: string): Promise<BulkOperation> {
  const { data } = await call(admin, POLL, pollResponse, { id });
  if (!data.node) throw new BulkOperationError(`bulk operation ${id} not found`);
  return data.node;
}

export async function currentBulkOperation(admin: AdminGraphql): Promise<BulkOperation | null> {
  const { data } = await call(admin, CURRENT, currentResponse);
  return data.currentBulkOperation ?? null;
}

/** `gid://shopify/Order/123` → `123`, the id the REST webhooks carry. */
export function legacyId(gid: string): string {
  const slash = gid.lastIndexOf("/");
  return slash === -1 ? gid : gid.slice(slash + 1);
}

// ---------------------------------------------------------------------------------------------
// Result lines → our records. Hand-checked rather than zod: a million lines go through here.

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
  return {
    shopifyId: legacyId(str(node, "id")),
    email: email ? optStr(email, "emailAddress") : null,
    firstName: optStr(node, "firstName"),
    lastName: optStr(node, "lastName"),
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
