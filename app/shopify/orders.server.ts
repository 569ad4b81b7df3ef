// Admin GraphQL (API 2026-10): orders updated since a moment, for the daily reconciliation. The
// only module that knows this query's shape; it returns the webhook path's records, so what it
// finds is applied exactly as orders/paid, refunds/create and orders/cancelled would apply it.
//
// Cost-aware: Shopify meters GraphQL by query cost from a bucket (`extensions.cost.throttleStatus`:
// maximumAvailable, currentlyAvailable, restoreRate per second). Before each next page we wait
// until the bucket holds what the last page cost; an over-budget request still answered
// THROTTLED (HTTP 200 with `errors[].extensions.code`, or 429) waits for the bucket and retries.
import { z } from "zod";
import type { AdminGraphql } from "./discounts.server";

export const ORDERS_PAGE_SIZE = 50;

// `subtotalPriceSet` is after discounts and before returns (REST `subtotal_price`, what orders/paid
// earns on). A refund's subtotal is the sum of its line items' subtotals, as refunds/create gives it.
export const ORDERS_UPDATED_SINCE = `#graphql
  query RegularsOrdersUpdatedSince($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        createdAt
        processedAt
        updatedAt
        cancelledAt
        test
        currencyCode
        displayFinancialStatus
        discountCodes
        subtotalPriceSet { shopMoney { amount } }
        totalPriceSet { shopMoney { amount } }
        customer { id firstName lastName defaultEmailAddress { emailAddress } }
        refunds(first: 50) {
          id
          createdAt
          refundLineItems(first: 100) { nodes { subtotalSet { shopMoney { amount } } } }
        }
      }
    }
  }`;

const gid = z
  .string()
  .regex(/^gid:\/\/shopify\/\w+\/\d+$/)
  .transform((v) => v.slice(v.lastIndexOf("/") + 1));
/** A shop-currency amount as Shopify writes it ("12.50"); the domain turns it into cents. */
const money = z.object({ shopMoney: z.object({ amount: z.string() }) }).transform((m) => m.shopMoney.amount);
const date = z
  .string()
  .datetime({ offset: true })
  .transform((v) => new Date(v));

const orderNode = z.object({
  id: gid,
  name: z.string().nullable(),
  createdAt: date,
  processedAt: date.nullable(),
  updatedAt: date,
  cancelledAt: date.nullable(),
  test: z.boolean(),
  currencyCode: z.string(),
  displayFinancialStatus: z.string().nullable(),
  discountCodes: z.array(z.string()),
  subtotalPriceSet: money,
  totalPriceSet: money,
  customer: z
    .object({
      id: gid,
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      defaultEmailAddress: z.object({ emailAddress: z.string().nullable() }).nullable(),
    })
    .nullable(),
  refunds: z.array(
    z.object({
      id: gid,
      createdAt: date,
      refundLineItems: z.object({ nodes: z.array(z.object({ subtotalSet: money })) }),
    }),
  ),
});

const throttleStatus = z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() });
const cost = z
  .object({
    requestedQueryCost: z.number(),
    actualQueryCost: z.number().nullable().optional(),
    throttleStatus,
  })
  .optional();
const pageBody = z.object({
  data: z.object({
    orders: z.object({
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      nodes: z.array(z.unknown()),
    }),
  }),
  extensions: z.object({ cost }).optional(),
});

/** An order as the query reads it (ids as numbers in text, money as decimal strings). */
export type OrderNode = z.output<typeof orderNode>;

export type OrdersPage = { orders: OrderNode[]; cursor: string | null };

export type FetchOptions = {
  /** Waits are taken through this (tests record them instead of sleeping). */
  sleep?: (ms: number) => Promise<void>;
  pageSize?: number;
  /** THROTTLED answers retried per page before giving up (default 5). */
  throttleRetries?: number;
  onWait?: (ms: number, why: "budget" | "throttled") => void;
};

export class OrdersUnavailable extends Error {
  name = "OrdersUnavailable";
}

type Body = { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }>; extensions?: unknown };

/** The library throws on GraphQL errors and 429s; bring both back to a body. */
async function call(admin: AdminGraphql, variables: Record<string, unknown>): Promise<Body> {
  try {
    return (await (await admin.graphql(ORDERS_UPDATED_SINCE, { variables })).json()) as Body;
  } catch (error) {
    const e = error as { name?: string; body?: { errors?: unknown; extensions?: unknown }; message?: string };
    const inner = (e.body?.errors as { graphQLErrors?: Body["errors"] } | undefined)?.graphQLErrors;
    if (inner?.length) return { errors: inner, extensions: e.body?.extensions };
    if (Array.isArray(e.body?.errors)) return { errors: e.body!.errors as Body["errors"], extensions: e.body?.extensions };
    if (e.name === "HttpThrottlingError") return { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] };
    throw new OrdersUnavailable(`Shopify could not be asked for orders: ${e.message ?? String(error)}`);
  }
}

/** How long until the bucket holds `needed` points again. */
function waitFor(status: z.infer<typeof throttleStatus>, needed: number): number {
  const missing = Math.min(needed, status.maximumAvailable) - status.currentlyAvailable;
  return missing <= 0 ? 0 : Math.ceil((missing / Math.max(status.restoreRate, 1)) * 1000);
}

/**
 * Every order updated after `since`, page by page (cursor-based), oldest update first.
 * Yields pages so the caller can apply and count as it goes.
 */
export async function* ordersUpdatedSince(
  admin: AdminGraphql,
  since: Date,
  options: FetchOptions = {},
): AsyncGenerator<OrdersPage> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const retries = options.throttleRetries ?? 5;
  const query = `updated_at:>'${since.toISOString()}'`;
  let after: string | null = null;
  let lastCost = 0;
  for (;;) {
    let body: Body | null = null;
    for (let attempt = 0; ; attempt++) {
      body = await call(admin, { first: options.pageSize ?? ORDERS_PAGE_SIZE, after, query });
      const status = cost.safeParse((body.extensions as { cost?: unknown } | undefined)?.cost);
      const throttled = body.errors?.some((e) => e.extensions?.code === "THROTTLED");
      if (body.errors?.length && !throttled) {
        throw new OrdersUnavailable(`Shopify GraphQL error: ${body.errors.map((e) => e.message).join("; ")}`);
      }
      if (!throttled) {
        // Before the next page: let the bucket refill to what this one cost.
        if (status.success && status.data) {
          lastCost = status.data.actualQueryCost ?? status.data.requestedQueryCost;
          const ms = waitFor(status.data.throttleStatus, lastCost);
          if (ms > 0) {
            options.onWait?.(ms, "budget");
            await sleep(ms);
          }
        }
        break;
      }
      if (attempt >= retries) throw new OrdersUnavailable("Shopify kept throttling the orders query");
      const needed = status.success && status.data ? status.data.requestedQueryCost : lastCost;
      const ms =
        status.success && status.data ? Math.max(waitFor(status.data.throttleStatus, needed), 1000) : 1000 * 2 ** attempt;
      options.onWait?.(ms, "throttled");
      await sleep(ms);
    }
    const page = pageBody.safeParse(body);
    if (!page.success) throw new OrdersUnavailable(`unexpected orders response: ${JSON.stringify(body).slice(0, 300)}`);
    const { nodes, pageInfo } = page.data.data.orders;
    yield { orders: nodes.map((node) => orderNode.parse(node)), cursor: pageInfo.endCursor };
    if (!pageInfo.hasNextPage || !pageInfo.endCursor) return;
    after = pageInfo.endCursor;
  }
}
