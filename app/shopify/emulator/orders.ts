// The emulator's orders: `orders(first, after, query: "updated_at:>'…'", sortKey: UPDATED_AT)`
// answered from an emulated order set, with cursors and Shopify's cost metering (a leaky bucket
// per shop: over budget → THROTTLED; every answer reports `extensions.cost.throttleStatus`).
// Shapes as documented for API 2026-10 (Order, Refund.refundLineItems, MoneyBag.shopMoney).

/** An order as the Admin GraphQL API returns it (the fields Regulars asks for). */
export type OrderNode = {
  id: string;
  name: string | null;
  createdAt: string;
  processedAt: string | null;
  updatedAt: string;
  cancelledAt: string | null;
  test: boolean;
  currencyCode: string;
  displayFinancialStatus: string | null;
  discountCodes: string[];
  subtotalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  customer: {
    id: string;
    firstName: string | null;
    lastName: string | null;
    defaultEmailAddress: { emailAddress: string | null } | null;
  } | null;
  refunds: {
    id: string;
    createdAt: string;
    refundLineItems: { nodes: { subtotalSet: { shopMoney: { amount: string; currencyCode: string } } }[] };
  }[];
};

export type Bucket = { maximumAvailable: number; restoreRate: number };

type Rest = Record<string, unknown>;
const money = (amount: unknown, currencyCode: string) => ({ shopMoney: { amount: String(amount), currencyCode } });

/**
 * The GraphQL node of an order given in the REST webhook shape (orders/paid, orders/cancelled)
 * with its refunds (refunds/create shape): one source of truth for a test's or the demo's orders.
 */
export function orderNodeFromRest(order: Rest, refunds: Rest[], updatedAt: Date): OrderNode {
  const currency = String(order.currency ?? "USD");
  const customer = order.customer as Rest | null;
  return {
    id: `gid://shopify/Order/${order.id}`,
    name: (order.name as string) ?? null,
    createdAt: new Date(String(order.created_at)).toISOString(),
    processedAt: order.processed_at ? new Date(String(order.processed_at)).toISOString() : null,
    updatedAt: updatedAt.toISOString(),
    cancelledAt: order.cancelled_at ? new Date(String(order.cancelled_at)).toISOString() : null,
    test: Boolean(order.test),
    currencyCode: currency,
    displayFinancialStatus: refunds.length ? "PARTIALLY_REFUNDED" : String(order.financial_status ?? "paid").toUpperCase(),
    discountCodes: ((order.discount_codes as Rest[] | undefined) ?? []).map((d) => String(d.code)),
    subtotalPriceSet: money(order.subtotal_price, currency),
    totalPriceSet: money(order.total_price, currency),
    customer: customer
      ? {
          id: `gid://shopify/Customer/${customer.id}`,
          firstName: (customer.first_name as string) ?? null,
          lastName: (customer.last_name as string) ?? null,
          defaultEmailAddress: { emailAddress: (customer.email as string) ?? null },
        }
      : null,
    refunds: refunds.map((r) => ({
      id: `gid://shopify/Refund/${r.id}`,
      createdAt: new Date(String(r.processed_at ?? r.created_at)).toISOString(),
      refundLineItems: {
        nodes: ((r.refund_line_items as Rest[] | undefined) ?? []).map((line) => ({
          subtotalSet: money(
            (line.subtotal_set as { shop_money: { amount: unknown } } | undefined)?.shop_money.amount ?? line.subtotal,
            currency,
          ),
        })),
      },
    })),
  };
}

/** Shopify's search syntax as far as this query uses it: `updated_at:>'<ISO time>'`. */
function updatedAfter(query: string): number {
  const match = /updated_at:>'?([^'\s]+)'?/.exec(query);
  return match ? new Date(match[1]).getTime() : -Infinity;
}

const encodeCursor = (node: OrderNode) => Buffer.from(JSON.stringify([node.updatedAt, node.id])).toString("base64url");

/** Answers the orders query for one shop, metering cost against its bucket. */
export function ordersAnswerer(bucket: Bucket = { maximumAvailable: 2000, restoreRate: 100 }) {
  const buckets = new Map<string, { available: number; at: number }>();
  return (shop: string, orders: OrderNode[], variables: Record<string, unknown>) => {
    const first = Math.min(250, Number(variables.first ?? 50));
    // Shopify's estimate: one point per object, refunds and their line items included (roughly).
    const requestedQueryCost = 2 + first * 3;
    const now = Date.now();
    const state = buckets.get(shop) ?? { available: bucket.maximumAvailable, at: now };
    state.available = Math.min(bucket.maximumAvailable, state.available + ((now - state.at) / 1000) * bucket.restoreRate);
    state.at = now;
    buckets.set(shop, state);
    const throttleStatus = () => ({ ...bucket, currentlyAvailable: Math.floor(state.available) });
    if (state.available < requestedQueryCost) {
      return {
        errors: [
          { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
        ],
        extensions: { cost: { requestedQueryCost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      };
    }
    const since = updatedAfter(String(variables.query ?? ""));
    const matching = orders
      .filter((o) => new Date(o.updatedAt).getTime() > since)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
    const after = variables.after ? String(variables.after) : null;
    const start = after ? matching.findIndex((o) => encodeCursor(o) === after) + 1 : 0;
    const nodes = matching.slice(start, start + first);
    const actualQueryCost = 2 + nodes.length * 3;
    state.available -= actualQueryCost;
    return {
      data: {
        orders: {
          pageInfo: {
            hasNextPage: start + first < matching.length,
            endCursor: nodes.length ? encodeCursor(nodes[nodes.length - 1]) : null,
          },
          nodes,
        },
      },
      extensions: { cost: { requestedQueryCost, actualQueryCost, throttleStatus: throttleStatus() } },
    };
  };
}
