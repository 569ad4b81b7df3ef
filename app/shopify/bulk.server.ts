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
import type { AdminGraphql } from "./shop-facts.server";

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
      node {
        id firstName lastName defaultEmailAddress { emailAddress }
        birthDate: metafield(namespace: "facts", key: "birth_date") { value }
      }
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
  errorCode: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  objectCount: count.nullish().transform((v) => v ?? 0),
  rootObjectCount: count.nullish().transform((v) => v ?? 0),
  url: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  partialDataUrl: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  createdAt: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  completedAt: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
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
  admin: AdminGraphql,
  query: string,
  schema: S,
  variables?: Record<string, unknown>,
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
