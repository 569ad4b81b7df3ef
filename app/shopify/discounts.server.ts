// Admin GraphQL: reward discount codes. The only module that knows the discount mutations' shapes
// (API 2026-10; since 2025-10 `context.customers.add` replaces the removed `customerSelection`).
//
// Every call has a deadline (AbortSignal) and survives a throttle or two: Shopify answers an
// over-budget query with HTTP 200 and `errors[].extensions.code = "THROTTLED"` (or, at the HTTP
// layer, 429); we wait and try again, then give up with `ShopifyUnavailable`. A mutation that
// Shopify rejects with `userErrors` is a `DiscountRefused`: trying again would not help.
import { randomInt } from "node:crypto";
import { z } from "zod";
import { unauthenticated } from "../shopify.server";
import { config } from "../config.server";

/** The admin client's GraphQL call, as the Remix package hands it out. */
export type AdminGraphql = {
  graphql: (query: string, options?: { variables?: Record<string, unknown>; signal?: AbortSignal }) => Promise<Response>;
};

export type RewardDiscount =
  | { kind: "amount_off"; valueCents: number; minimumSubtotalCents: number | null }
  | { kind: "percent_off"; percentOff: number; minimumSubtotalCents: number | null }
  | { kind: "free_shipping"; minimumSubtotalCents: number | null };

export type CombinesWith = { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };

export type NewRewardCode = {
  code: string;
  title: string;
  customerShopifyId: string;
  reward: RewardDiscount;
  startsAt: Date;
  endsAt: Date | null;
  combinesWith: CombinesWith;
};

export type CreatedCode = { discountId: string; code: string };

export type CallOptions = { timeoutMs?: number; throttleRetries?: number; backoffMs?: number };

/** Shopify looked at the discount and said no (`userErrors`). */
export class DiscountRefused extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(
      `Shopify refused the discount: ${userErrors.map((e) => `${(e.field ?? []).join(".")} ${e.message}`.trim()).join("; ")}`,
    );
    this.name = "DiscountRefused";
  }
}

/** Shopify could not be reached, timed out, kept throttling, or failed on its side. */
export class ShopifyUnavailable extends Error {
  constructor(
    message: string,
    readonly reason: "timeout" | "throttled" | "network" | "server" | "no_session",
  ) {
    super(message);
    this.name = "ShopifyUnavailable";
  }
}

type UserError = { field?: string[] | null; message: string; code?: string | null };

const defaults = () => ({
  timeoutMs: config().SHOPIFY_ADMIN_TIMEOUT_MS,
  throttleRetries: 2,
  backoffMs: config().SHOPIFY_ADMIN_BACKOFF_MS,
});

const CODE_DISCOUNT_FIELDS = `
  codeDiscountNode { id codeDiscount { __typename ... on DiscountCodeBasic { title } ... on DiscountCodeFreeShipping { title } } }
  userErrors { field message code }`;

const BASIC_CREATE = `#graphql
  mutation RegularsRewardCodeBasic($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {${CODE_DISCOUNT_FIELDS}
    }
  }`;

const FREE_SHIPPING_CREATE = `#graphql
  mutation RegularsRewardCodeFreeShipping($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {${CODE_DISCOUNT_FIELDS}
    }
  }`;

const payload = z.object({
  codeDiscountNode: z.object({ id: z.string() }).nullable(),
  userErrors: z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string(), code: z.string().nullish() })),
});
const createResponse = z.object({
  data: z.object({
    discountCodeBasicCreate: payload.optional(),
    discountCodeFreeShippingCreate: payload.optional(),
  }),
});

const money = (cents: number) => (cents / 100).toFixed(2);

/** The mutation and its variables for one reward code (pure: the shapes live here). */
export function rewardCodeMutation(input: NewRewardCode): {
  query: string;
  variables: Record<string, unknown>;
  field: "discountCodeBasicCreate" | "discountCodeFreeShippingCreate";
} {
  const common = {
    title: input.title,
    code: input.code,
    startsAt: input.startsAt.toISOString(),
    endsAt: input.endsAt?.toISOString() ?? null,
    // Only this shopper can use it, once.
    context: { customers: { add: [`gid://shopify/Customer/${input.customerShopifyId}`] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: input.combinesWith,
    minimumRequirement:
      input.reward.minimumSubtotalCents != null && input.reward.minimumSubtotalCents > 0
        ? { subtotal: { greaterThanOrEqualToSubtotal: money(input.reward.minimumSubtotalCents) } }
        : null,
  };
  const reward = input.reward;
  if (reward.kind === "free_shipping") {
    return {
      query: FREE_SHIPPING_CREATE,
      field: "discountCodeFreeShippingCreate",
      variables: { freeShippingCodeDiscount: { ...common, destination: { all: true } } },
    };
  }
  const value =
    reward.kind === "amount_off"
      ? { discountAmount: { amount: money(reward.valueCents), appliesOnEachItem: false } }
      : { percentage: reward.percentOff / 100 };
  return {
    query: BASIC_CREATE,
    field: "discountCodeBasicCreate",
    variables: { basicCodeDiscount: { ...common, customerGets: { value, items: { all: true } } } },
  };
}

/** The offline Admin client of a shop (the session the install stored). */
export async function adminFor(shop: string): Promise<AdminGraphql> {
  try {
    const { admin } = await unauthenticated.admin(shop);
    return admin as unknown as AdminGraphql;
  } catch (error) {
    throw new ShopifyUnavailable(`no offline session for ${shop}: ${String(error)}`, "no_session");
  }
}

/** Creates the single-use, customer-restricted code of a reward. */
export async function createRewardCode(
  admin: AdminGraphql,
  input: NewRewardCode,
  options: CallOptions = {},
): Promise<CreatedCode> {
  const { query, variables, field } = rewardCodeMutation(input);
  const body = await callWithRetries(admin, query, variables, options);
  const parsed = createResponse.safeParse(body);
  if (!parsed.success)
    throw new ShopifyUnavailable(`unexpected discount response: ${JSON.stringify(body).slice(0, 300)}`, "server");
  const result = parsed.data.data[field];
  if (!result) throw new ShopifyUnavailable(`discount response without ${field}`, "server");
  if (result.userErrors.length > 0 || !result.codeDiscountNode) throw new DiscountRefused(result.userErrors);
  return { discountId: result.codeDiscountNode.id, code: input.code };
}

type GraphqlBody = { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> };

/** One Admin GraphQL call under a deadline, retried while throttled (store-credit.server.ts shares it). */
export async function callWithRetries(
  admin: AdminGraphql,
  query: string,
  variables: Record<string, unknown>,
  options: CallOptions,
): Promise<GraphqlBody> {
  const { timeoutMs, throttleRetries, backoffMs } = { ...defaults(), ...options };
  // One deadline for the whole operation, retries included: the shopper is waiting.
  const signal = AbortSignal.timeout(timeoutMs);
  for (let attempt = 0; ; attempt++) {
    let body: GraphqlBody;
    try {
      // Raced with the deadline too, so no transport can keep the shopper waiting past it.
      body = await Promise.race([
        admin.graphql(query, { variables, signal }).then((response) => response.json() as Promise<GraphqlBody>),
        aborted(signal),
      ]);
    } catch (error) {
      if (signal.aborted) throw new ShopifyUnavailable(`Shopify did not answer within ${timeoutMs} ms`, "timeout");
      body = errorBody(error);
    }
    const codes = (body.errors ?? []).map((e) => e.extensions?.code);
    if (body.errors?.length && !codes.includes("THROTTLED")) {
      throw new ShopifyUnavailable(
        `Shopify GraphQL error: ${body.errors.map((e) => e.message).join("; ")}`,
        isNetwork(body) ? "network" : "server",
      );
    }
    if (!body.errors?.length) return body;
    if (attempt >= throttleRetries) throw new ShopifyUnavailable("Shopify kept throttling the request", "throttled");
    await sleep(backoffMs * 2 ** attempt, signal).catch(() => {
      throw new ShopifyUnavailable(`Shopify did not answer within ${timeoutMs} ms`, "timeout");
    });
  }
}

/**
 * The library throws on GraphQL errors (GraphqlQueryError, with the body) and on HTTP failures
 * (HttpThrottlingError for 429, HttpInternalError for 5xx, HttpRequestError without a response).
 * Bring them back to one shape: a GraphQL body.
 */
function errorBody(error: unknown): GraphqlBody & { network?: boolean } {
  const e = error as {
    name?: string;
    body?: GraphqlBody & { errors?: { graphQLErrors?: GraphqlBody["errors"] } };
    response?: { code?: number };
    message?: string;
  };
  const graphQLErrors = (e.body?.errors as { graphQLErrors?: GraphqlBody["errors"] } | undefined)?.graphQLErrors;
  if (graphQLErrors?.length) return { errors: graphQLErrors };
  if (Array.isArray(e.body?.errors)) return { errors: e.body!.errors };
  if (e.name === "HttpThrottlingError") return { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] };
  return { errors: [{ message: e.message ?? String(error) }], network: e.name === "HttpRequestError" };
}

const isNetwork = (body: GraphqlBody & { network?: boolean }) => body.network === true;

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

// Codes: 8 characters from 31 that cannot be misread (no 0/O, 1/I/L), ~40 random bits, grouped
// for reading aloud: REG-7FQ2-K9X1. Guessing one is hopeless, and each works for one customer once.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function newRewardCode(prefix = "REG"): string {
  const pick = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return `${prefix}-${pick()}-${pick()}`;
}
