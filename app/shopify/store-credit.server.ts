// Admin GraphQL: Shopify's native store credit (API 2026-10). The only module that knows the
// store-credit shapes: `storeCreditAccountCredit` (scope write_store_credit_account_transactions)
// and the customer's `storeCreditAccounts` with their transactions (read_store_credit_accounts).
//
// Passing the customer's GID as `id` makes Shopify open an account in that currency if the customer
// has none. The mutation takes no idempotency key (the `@idempotent` directive is documented for
// refund and inventory mutations, not this one) and a credit carries no note we could set, so a
// caller that lost the answer (timeout, 5xx) finds out what happened with `recentCredits` before it
// gives anything back (ADR 0033). A THROTTLED answer means Shopify did nothing: safe to repeat.
import { z } from "zod";
import { callWithRetries, ShopifyUnavailable, type AdminGraphql, type CallOptions } from "./discounts.server";

export type NewStoreCredit = {
  customerShopifyId: string;
  /** In minor units of `currency` (the shop's currency). */
  amountCents: number;
  currency: string;
  expiresAt: Date | null;
};

export type IssuedStoreCredit = {
  transactionId: string;
  /** Decimal string, as Shopify's MoneyV2 gives it. */
  amount: string;
  currency: string;
  accountId: string;
  balance: { amount: string; currency: string };
};

export type StoreCreditTransaction = {
  id: string;
  amount: string;
  currency: string;
  createdAt: string;
  expiresAt: string | null;
};

export type StoreCreditBalance = { accountId: string; amount: string; currency: string };

type UserError = { field?: string[] | null; message: string; code?: string | null };

/** Shopify looked at the credit and said no (`userErrors`): trying again would not help. */
export class StoreCreditRefused extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(
      `Shopify refused the store credit: ${userErrors.map((e) => `${(e.field ?? []).join(".")} ${e.message}`.trim()).join("; ")}`,
    );
    this.name = "StoreCreditRefused";
  }
}

const customerGid = (id: string) => `gid://shopify/Customer/${id}`;

export const STORE_CREDIT_CREDIT = `#graphql
  mutation RegularsStoreCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
      storeCreditAccountTransaction {
        id
        amount { amount currencyCode }
        account { id balance { amount currencyCode } }
      }
      userErrors { field message code }
    }
  }`;

export const CUSTOMER_STORE_CREDIT = `#graphql
  query RegularsCustomerStoreCredit($id: ID!, $transactions: Int!) {
    customer(id: $id) {
      storeCreditAccounts(first: 10) {
        nodes {
          id
          balance { amount currencyCode }
          transactions(first: $transactions, sortKey: CREATED_AT, reverse: true) {
            nodes {
              __typename
              amount { amount currencyCode }
              createdAt
              ... on StoreCreditAccountCreditTransaction { id expiresAt }
            }
          }
        }
      }
    }
  }`;

const money = z.object({ amount: z.string(), currencyCode: z.string() });
const creditResponse = z.object({
  data: z.object({
    storeCreditAccountCredit: z.object({
      storeCreditAccountTransaction: z
        .object({ id: z.string(), amount: money, account: z.object({ id: z.string(), balance: money }) })
        .nullable(),
      userErrors: z.array(z.object({ field: z.array(z.string()).nullish(), message: z.string(), code: z.string().nullish() })),
    }),
  }),
});
const accountsResponse = z.object({
  data: z.object({
    customer: z
      .object({
        storeCreditAccounts: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              balance: money,
              transactions: z
                .object({
                  nodes: z.array(
                    z.object({
                      __typename: z.string(),
                      id: z.string().optional(),
                      amount: money,
                      createdAt: z.string(),
                      expiresAt: z.string().nullish(),
                    }),
                  ),
                })
                .optional(),
            }),
          ),
        }),
      })
      .nullable(),
  }),
});

/** Cents as the decimal string MoneyInput takes: 550 → "5.50". */
export const decimalAmount = (cents: number) => (cents / 100).toFixed(2);

/** The mutation's variables for one credit (pure: the shape lives here). */
export function storeCreditVariables(input: NewStoreCredit) {
  return {
    id: customerGid(input.customerShopifyId),
    creditInput: {
      creditAmount: { amount: decimalAmount(input.amountCents), currencyCode: input.currency },
      expiresAt: input.expiresAt?.toISOString() ?? null,
      // Our own surfaces tell the shopper; an email from Shopify as well is the owner's call, later.
      notify: false,
    },
  };
}

/** Credits the customer's store credit account (opened by Shopify if the customer has none in this currency). */
export async function creditStoreCredit(
  admin: AdminGraphql,
  input: NewStoreCredit,
  options: CallOptions = {},
): Promise<IssuedStoreCredit> {
  const body = await callWithRetries(admin, STORE_CREDIT_CREDIT, storeCreditVariables(input), options);
  const parsed = creditResponse.safeParse(body);
  if (!parsed.success)
    throw new ShopifyUnavailable(`unexpected store credit response: ${JSON.stringify(body).slice(0, 300)}`, "server");
  const { storeCreditAccountTransaction: tx, userErrors } = parsed.data.data.storeCreditAccountCredit;
  if (userErrors.length > 0 || !tx) throw new StoreCreditRefused(userErrors);
  return {
    transactionId: tx.id,
    amount: tx.amount.amount,
    currency: tx.amount.currencyCode,
    accountId: tx.account.id,
    balance: { amount: tx.account.balance.amount, currency: tx.account.balance.currencyCode },
  };
}

async function customerAccounts(admin: AdminGraphql, customerShopifyId: string, transactions: number, options: CallOptions) {
  const body = await callWithRetries(admin, CUSTOMER_STORE_CREDIT, { id: customerGid(customerShopifyId), transactions }, options);
  const parsed = accountsResponse.safeParse(body);
  if (!parsed.success)
    throw new ShopifyUnavailable(`unexpected store credit accounts response: ${JSON.stringify(body).slice(0, 300)}`, "server");
  return parsed.data.data.customer?.storeCreditAccounts.nodes ?? [];
}

/** The customer's store credit balances, one per currency (none when Shopify has no account for them). */
export async function storeCreditBalances(
  admin: AdminGraphql,
  customerShopifyId: string,
  options: CallOptions = {},
): Promise<StoreCreditBalance[]> {
  const accounts = await customerAccounts(admin, customerShopifyId, 1, options);
  return accounts.map((a) => ({ accountId: a.id, amount: a.balance.amount, currency: a.balance.currencyCode }));
}

/**
 * The customer's credit transactions created at or after `since`, newest first: what a caller whose
 * answer was lost checks for its own credit before it gives the points back.
 */
export async function recentCredits(
  admin: AdminGraphql,
  customerShopifyId: string,
  since: Date,
  options: CallOptions = {},
): Promise<StoreCreditTransaction[]> {
  const accounts = await customerAccounts(admin, customerShopifyId, 50, options);
  return accounts
    .flatMap((a) => a.transactions?.nodes ?? [])
    .filter((t) => t.__typename === "StoreCreditAccountCreditTransaction" && t.id && Date.parse(t.createdAt) >= since.getTime())
    .map((t) => ({
      id: t.id!,
      amount: t.amount.amount,
      currency: t.amount.currencyCode,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt ?? null,
    }))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
