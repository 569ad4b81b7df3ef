// Shopify's store credit as far as Regulars uses it (Admin GraphQL 2026-10): the
// `storeCreditAccountCredit` mutation and a customer's `storeCreditAccounts` with their balance
// and transactions. Accounts are per customer and currency; passing a customer GID opens one.
//
// State: with an emulator directory, every credit is a line of `<dir>/store-credit.jsonl` — the
// log the tests and the demo read, and the state itself, so every server process (cluster
// workers each run an emulator) sees the same balances. Without one, memory.
//
// Faults (`storeCredit` in faults.json, read on every request), like the discount faults:
// `userErrors` (a StoreCreditAccountCreditUserError), `throttled`, `throttledOnce` (the first try
// of each credit), `hang` (never answers, nothing credited), `serverError` (HTTP 500, nothing
// credited), and `lostAnswer`: Shopify credits the account and the answer never arrives.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { createHash, randomInt } from "node:crypto";
import path from "node:path";
import type * as Msw from "msw";

export type StoreCreditFault = "userErrors" | "throttled" | "throttledOnce" | "hang" | "serverError" | "lostAnswer";

/** One credit, as logged in `store-credit.jsonl`. Amounts in cents. */
export type EmulatedCredit = {
  id: string;
  shop: string;
  customerId: string;
  accountId: string;
  currency: string;
  amountCents: number;
  expiresAt: string | null;
  createdAt: string;
};

const COST = {
  cost: {
    requestedQueryCost: 10,
    actualQueryCost: 10,
    throttleStatus: { maximumAvailable: 2000.0, currentlyAvailable: 1990, restoreRate: 100.0 },
  },
};
const LOG = "store-credit.jsonl";

type Options = {
  dir: string | null;
  fault: () => StoreCreditFault | null;
  log: (file: string, entry: unknown) => void;
};

const money = (cents: number, currency: string) => ({ amount: (cents / 100).toFixed(2), currencyCode: currency });
const customerIdOf = (gid: unknown) => /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(String(gid ?? ""))?.[1] ?? null;

/** A stable account id per shop, customer and currency, the same in every process. */
function accountId(shop: string, customerId: string, currency: string) {
  const n = BigInt(`0x${createHash("sha256").update(`${shop}|${customerId}|${currency}`).digest("hex").slice(0, 12)}`);
  return `gid://shopify/StoreCreditAccount/${n}`;
}

/** Test or demo side: every credit the emulator made (for a shop, when given). */
export function readStoreCredits(dir: string, shop?: string): EmulatedCredit[] {
  try {
    return readFileSync(path.join(dir, LOG), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EmulatedCredit)
      .filter((c) => !shop || c.shop === shop);
  } catch {
    return [];
  }
}

export function storeCreditApi(msw: typeof Msw, options: Options) {
  const { delay, HttpResponse } = msw;
  const memory: EmulatedCredit[] = [];
  const attempts = new Map<string, number>();
  const credits = (shop: string) => (options.dir ? readStoreCredits(options.dir, shop) : memory.filter((c) => c.shop === shop));

  function record(credit: EmulatedCredit) {
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true });
      appendFileSync(path.join(options.dir, LOG), `${JSON.stringify(credit)}\n`);
    } else memory.push(credit);
  }

  async function credit(shop: string, variables: Record<string, unknown>) {
    const fault = options.fault();
    const input = (variables.creditInput ?? {}) as {
      creditAmount?: { amount?: string; currencyCode?: string };
      expiresAt?: string;
    };
    const signature = JSON.stringify([shop, variables]);
    const n = (attempts.get(signature) ?? 0) + 1;
    attempts.set(signature, n);
    options.log("requests.jsonl", {
      shop,
      field: "storeCreditAccountCredit",
      id: variables.id,
      attempt: n,
      fault,
      at: new Date().toISOString(),
    });

    if (fault === "hang") await delay("infinite");
    if (fault === "serverError") return HttpResponse.json({ errors: "Internal Server Error" }, { status: 500 });
    if (fault === "throttled" || (fault === "throttledOnce" && n === 1)) {
      return HttpResponse.json({
        errors: [
          { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
        ],
        extensions: {
          cost: { ...COST.cost, actualQueryCost: null, throttleStatus: { ...COST.cost.throttleStatus, currentlyAvailable: 0 } },
        },
      });
    }
    const customerId = customerIdOf(variables.id);
    const currency = String(input.creditAmount?.currencyCode ?? "");
    const cents = Math.round(Number(input.creditAmount?.amount) * 100);
    const errors: Array<{ field: string[]; message: string; code: string }> = [];
    if (!customerId) errors.push({ field: ["id"], message: "Owner does not exist.", code: "OWNER_NOT_FOUND" });
    if (!/^[A-Z]{3}$/.test(currency))
      errors.push({
        field: ["creditInput", "creditAmount", "currencyCode"],
        message: "The currency provided is not currently supported.",
        code: "UNSUPPORTED_CURRENCY",
      });
    if (!(cents > 0))
      errors.push({
        field: ["creditInput", "creditAmount", "amount"],
        message: "A positive amount must be used to credit a store credit account.",
        code: "NEGATIVE_OR_ZERO_AMOUNT",
      });
    if (input.expiresAt && !(Date.parse(input.expiresAt) > Date.now()))
      errors.push({
        field: ["creditInput", "expiresAt"],
        message: "The expiry date must be in the future.",
        code: "EXPIRES_AT_IN_PAST",
      });
    if (fault === "userErrors")
      errors.push({
        field: ["creditInput", "creditAmount"],
        message: "The operation would cause the account's credit limit to be exceeded.",
        code: "CREDIT_LIMIT_EXCEEDED",
      });
    if (errors.length > 0) {
      return HttpResponse.json({
        data: { storeCreditAccountCredit: { storeCreditAccountTransaction: null, userErrors: errors } },
        extensions: COST,
      });
    }
    const account = accountId(shop, customerId!, currency);
    const made: EmulatedCredit = {
      id: `gid://shopify/StoreCreditAccountCreditTransaction/${randomInt(1, 2 ** 47)}`,
      shop,
      customerId: customerId!,
      accountId: account,
      currency,
      amountCents: cents,
      expiresAt: input.expiresAt ?? null,
      createdAt: new Date().toISOString(),
    };
    record(made);
    if (fault === "lostAnswer") await delay("infinite");
    const balance = credits(shop)
      .filter((c) => c.accountId === account)
      .reduce((sum, c) => sum + c.amountCents, 0);
    return HttpResponse.json({
      data: {
        storeCreditAccountCredit: {
          storeCreditAccountTransaction: {
            id: made.id,
            amount: money(cents, currency),
            account: { id: account, balance: money(balance, currency) },
          },
          userErrors: [],
        },
      },
      extensions: COST,
    });
  }

  function accounts(shop: string, variables: Record<string, unknown>) {
    const customerId = customerIdOf(variables.id);
    const mine = customerId ? credits(shop).filter((c) => c.customerId === customerId) : [];
    const currencies = [...new Set(mine.map((c) => c.currency))];
    const first = Number(variables.transactions ?? 50);
    const nodes = currencies.map((currency) => {
      const rows = mine.filter((c) => c.currency === currency);
      const balance = rows.reduce((sum, c) => sum + c.amountCents, 0);
      return {
        id: accountId(shop, customerId!, currency),
        balance: money(balance, currency),
        transactions: {
          nodes: rows
            .slice()
            .reverse()
            .slice(0, first)
            .map((c) => ({
              __typename: "StoreCreditAccountCreditTransaction",
              id: c.id,
              amount: money(c.amountCents, c.currency),
              createdAt: c.createdAt,
              expiresAt: c.expiresAt,
            })),
        },
      };
    });
    return HttpResponse.json({ data: { customer: customerId ? { storeCreditAccounts: { nodes } } : null }, extensions: COST });
  }

  return {
    /** The answer when the query is a store-credit operation; undefined otherwise. */
    answer(shop: string, query: string, variables: Record<string, unknown>) {
      if (query.includes("storeCreditAccountCredit(")) return credit(shop, variables);
      if (query.includes("storeCreditAccounts(")) return accounts(shop, variables);
      return undefined;
    },
  };
}
