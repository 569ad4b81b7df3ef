// One Admin GraphQL call for background work, with Shopify's cost budget in view. Background
// senders (metafields, Flow triggers) do not wait in a loop like a shopper-facing call: they make
// one attempt, and on THROTTLED (HTTP 200 with `errors[].extensions.code`, or HTTP 429) they learn
// from `extensions.cost.throttleStatus` how long the bucket needs to refill and come back then.
// Each call also reports the bucket so the caller can pause before it runs dry.
/** The admin client's GraphQL call, as the Remix package hands it out (the same shape discounts.server.ts takes). */
export type AdminGraphql = {
  graphql: (query: string, options?: { variables?: Record<string, unknown>; signal?: AbortSignal }) => Promise<Response>;
};

/** Shopify's leaky bucket after a call (`extensions.cost.throttleStatus`). */
export type ThrottleStatus = { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };

/** Shopify said the shop's budget is spent; try again after `retryAfterMs`. */
export class ShopifyThrottled extends Error {
  name = "ShopifyThrottled";
  constructor(readonly retryAfterMs: number) {
    super(`Shopify throttled the call; budget back in ${retryAfterMs} ms`);
  }
}

/** Shopify could not be reached, timed out, or failed on its side: try again later. */
export class ShopifyCallFailed extends Error {
  name = "ShopifyCallFailed";
}

type Body = {
  data?: unknown;
  errors?: unknown;
  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
};

/** When an empty bucket has room again for a call of `cost` (at least a second: Shopify refills per second). */
export function waitForBudgetMs(status: ThrottleStatus | null | undefined, cost: number): number {
  if (!status || status.restoreRate <= 0) return 1000;
  const missing = cost - status.currentlyAvailable;
  return missing <= 0 ? 0 : Math.max(1000, Math.ceil((missing / status.restoreRate) * 1000));
}

/**
 * Sends one query. Resolves with its `data` and the bucket; rejects with `ShopifyThrottled` or
 * `ShopifyCallFailed`. `cost` is what the caller expects the call to cost (for the throttle wait).
 */
export async function graphqlOnce(
  admin: AdminGraphql,
  query: string,
  variables: Record<string, unknown>,
  options: { timeoutMs: number; cost: number },
): Promise<{ data: Record<string, unknown>; throttle: ThrottleStatus | null }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let body: Body;
  try {
    body = await Promise.race([
      admin.graphql(query, { variables, signal }).then((response) => response.json() as Promise<Body>),
      new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
    ]);
  } catch (error) {
    if (signal.aborted) throw new ShopifyCallFailed(`Shopify did not answer within ${options.timeoutMs} ms`);
    body = bodyOfLibraryError(error);
  }
  const throttle = body.extensions?.cost?.throttleStatus ?? null;
  const errors = Array.isArray(body.errors) ? (body.errors as Array<{ message?: string; extensions?: { code?: string } }>) : [];
  if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
    throw new ShopifyThrottled(waitForBudgetMs(throttle, options.cost));
  }
  if (errors.length || body.errors || !body.data) {
    const message = errors.length ? errors.map((e) => e.message).join("; ") : JSON.stringify(body.errors ?? body).slice(0, 300);
    throw new ShopifyCallFailed(`Shopify GraphQL error: ${message}`);
  }
  return { data: body.data as Record<string, unknown>, throttle };
}

/**
 * The Remix library throws on GraphQL errors (with the body), on 429 (HttpThrottlingError) and on
 * other HTTP failures; bring them back to a body.
 */
function bodyOfLibraryError(error: unknown): Body {
  const e = error as { name?: string; body?: { errors?: { graphQLErrors?: unknown[] } | unknown[] }; message?: string };
  const nested = (e.body?.errors as { graphQLErrors?: unknown[] } | undefined)?.graphQLErrors;
  if (nested?.length) return { errors: nested, extensions: (e.body as Body | undefined)?.extensions };
  if (Array.isArray(e.body?.errors)) return { errors: e.body.errors, extensions: (e.body as Body).extensions };
  if (e.name === "HttpThrottlingError") return { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] };
  return { errors: [{ message: e.message ?? String(error) }] };
}
