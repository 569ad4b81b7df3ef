// Shopify's Admin GraphQL API (2026-10) as far as Regulars uses it, answered in-process by msw at
// the network edge: the app's real code, the real Shopify library and real HTTP requests, only the
// far end is ours. Shapes follow Shopify's documentation: `userErrors` (DiscountUserError: field,
// message, code) for refusals, a 200 with `errors[].extensions.code = "THROTTLED"` and
// `extensions.cost.throttleStatus` when over budget, 401 without a valid access token.
//
// Shared by the server's emulator mode (app/shopify/emulator.server.ts) and the tests, which make
// it fail on demand through a fault file (see `Faults`) and read what it created from a log.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
// msw is a dev dependency: only its types are imported here; the caller hands the module in, so a
// production bundle never references it (app/shopify/emulator.server.ts imports it on demand).
import type * as Msw from "msw";
import { BULK_STORAGE, bulkOperationsApi, type BulkApi, type BulkWhat } from "./bulk-operations";
import type { TokenBook } from "./oauth";
import { ordersAnswerer, type Bucket, type OrderNode } from "./orders";
import { answerThemes } from "./themes";
import { storeCreditApi, type StoreCreditFault } from "./store-credit";
import { shopifySyncApis, type SyncFaults } from "./shopify-sync";

/**
 * What the emulator should do with discount mutations, read from `<dir>/faults.json` on every
 * request (so tests switch it while the server runs, across cluster workers) or from
 * SHOPIFY_EMULATOR_FAULT when there is no file.
 * - `userErrors`: Shopify refuses the discount (a DiscountUserError)
 * - `throttled`: always THROTTLED; `throttledOnce`: the first attempt of each code is throttled
 * - `hang`: never answers (until the client gives up)
 * - `serverError`: HTTP 500 from Shopify
 */
export type DiscountFault = "userErrors" | "throttled" | "throttledOnce" | "hang" | "serverError";
export type Faults = { discounts?: DiscountFault | null; storeCredit?: StoreCreditFault | null } & SyncFaults;

export type EmulatorOptions = {
  /** Where faults.json is read and requests.jsonl / discounts.jsonl are written. */
  dir?: string | null;
  /** The fault when there is no faults.json. */
  fault?: DiscountFault | null;
  /** The OAuth emulation's tokens: a token it revoked or let expire gets 401 (emulator/oauth.ts). */
  book?: TokenBook;
  /**
   * The shop's orders, for the `orders(query: "updated_at:>…")` query. Default: `<dir>/orders.json`
   * (shop → orders, see `writeEmulatedOrders`), read on every request; none without it.
   */
  orders?: (shop: string) => OrderNode[];
  /** The cost bucket the orders query is metered against (Shopify's standard plan by default). */
  ordersBucket?: Bucket;
};

type StoredDiscount = { id: string; shop: string; code: string; kind: string; input: Record<string, unknown>; createdAt: string };

const THROTTLE_EXTENSIONS = {
  cost: {
    requestedQueryCost: 10,
    actualQueryCost: null,
    throttleStatus: { maximumAvailable: 2000.0, currentlyAvailable: 0, restoreRate: 100.0 },
  },
};
const COST_EXTENSIONS = {
  cost: {
    requestedQueryCost: 10,
    actualQueryCost: 10,
    throttleStatus: { maximumAvailable: 2000.0, currentlyAvailable: 1990, restoreRate: 100.0 },
  },
};

/**
 * Where the emulated shop's history for bulk exports lives: `<dir>/shops/<shop>/<orders|customers>.jsonl`,
 * in the bulk result format (app/shopify/emulator/bulk-operations.ts). No file: the export finds nothing.
 */
export function shopExportFile(dir: string, shop: string, what: BulkWhat) {
  return path.join(dir, "shops", shop, `${what}.jsonl`);
}

export function adminGraphqlHandlers(msw: typeof Msw, options: EmulatorOptions = {}) {
  const { delay, http, HttpResponse } = msw;
  // Bulk exports (the history import on install), one API per shop, each export's file read from
  // the emulator's directory when it starts. The operations live in this process: the backfill
  // runs in the server's primary process, which starts, polls and downloads them all.
  const bulk = new Map<string, BulkApi>();
  const bulkFor = (shop: string) => {
    let api = bulk.get(shop);
    if (!api) {
      api = bulkOperationsApi(msw, shop, {
        files: (what) => {
          if (!options.dir) return undefined;
          try {
            return readFileSync(shopExportFile(options.dir, shop, what), "utf8");
          } catch {
            return undefined;
          }
        },
      });
      bulk.set(shop, api);
    }
    return api;
  };
  const sync = shopifySyncApis(msw, { dir: options.dir });
  const discounts = new Map<string, StoredDiscount>(); // `${shop}|${CODE}`
  const attempts = new Map<string, number>();
  let nextId = 1_000_000_000 + Math.floor(Math.random() * 1_000_000);
  const answerOrders = ordersAnswerer(options.ordersBucket);
  const storedOrders = (shop: string): OrderNode[] => {
    if (!options.dir) return [];
    try {
      return (JSON.parse(readFileSync(path.join(options.dir, "orders.json"), "utf8")) as Record<string, OrderNode[]>)[shop] ?? [];
    } catch {
      return [];
    }
  };

  const faults = (): Faults => {
    if (options.dir) {
      try {
        return JSON.parse(readFileSync(path.join(options.dir, "faults.json"), "utf8")) as Faults;
      } catch {
        // no file: no faults
      }
    }
    return { discounts: options.fault ?? null };
  };
  const log = (file: string, entry: unknown) => {
    if (!options.dir) return;
    mkdirSync(options.dir, { recursive: true });
    appendFileSync(path.join(options.dir, file), `${JSON.stringify(entry)}\n`);
  };

  async function createDiscount(shop: string, kind: "basic" | "freeShipping", input: Record<string, unknown>, field: string) {
    const code = String(input.code ?? "");
    const fault = faults().discounts ?? null;
    const n = (attempts.get(`${shop}|${code}`) ?? 0) + 1;
    attempts.set(`${shop}|${code}`, n);
    log("requests.jsonl", { shop, field, code, attempt: n, fault, at: new Date().toISOString() });

    if (fault === "hang") {
      await delay("infinite");
    }
    if (fault === "serverError") {
      return HttpResponse.json({ errors: "Internal Server Error" }, { status: 500 });
    }
    if (fault === "throttled" || (fault === "throttledOnce" && n === 1)) {
      return HttpResponse.json({
        errors: [
          { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
        ],
        extensions: THROTTLE_EXTENSIONS,
      });
    }
    const userErrors = validate(shop, input, kind);
    if (fault === "userErrors") {
      userErrors.push({
        field: [kindArgument(kind), "context"],
        message: "Customer is not eligible for discounts in this shop",
        code: "INVALID",
      });
    }
    if (userErrors.length > 0) {
      return HttpResponse.json({ data: { [field]: { codeDiscountNode: null, userErrors } }, extensions: COST_EXTENSIONS });
    }
    const id = `gid://shopify/DiscountCodeNode/${nextId++}`;
    const stored: StoredDiscount = { id, shop, code, kind, input, createdAt: new Date().toISOString() };
    discounts.set(`${shop}|${code.toUpperCase()}`, stored);
    log("discounts.jsonl", stored);
    const typename = kind === "basic" ? "DiscountCodeBasic" : "DiscountCodeFreeShipping";
    return HttpResponse.json({
      data: { [field]: { codeDiscountNode: { id, codeDiscount: { __typename: typename, title: input.title } }, userErrors: [] } },
      extensions: COST_EXTENSIONS,
    });
  }

  function validate(shop: string, input: Record<string, unknown>, kind: "basic" | "freeShipping") {
    const arg = kindArgument(kind);
    const errors: Array<{ field: string[]; message: string; code: string }> = [];
    const code = String(input.code ?? "");
    if (!input.title) errors.push({ field: [arg, "title"], message: "Title can't be blank", code: "BLANK" });
    if (!code) errors.push({ field: [arg, "code"], message: "Code can't be blank", code: "BLANK" });
    if (discounts.has(`${shop}|${code.toUpperCase()}`)) {
      errors.push({ field: [arg, "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" });
    }
    if (!input.context && !input.customerSelection) {
      errors.push({ field: [arg, "context"], message: "Context can't be blank", code: "BLANK" });
    }
    if (input.endsAt && input.startsAt && new Date(String(input.endsAt)) <= new Date(String(input.startsAt))) {
      errors.push({ field: [arg, "endsAt"], message: "Ends at needs to be after starts_at", code: "INVALID" });
    }
    const value = (input.customerGets as { value?: { percentage?: number } } | undefined)?.value;
    if (kind === "basic" && value?.percentage !== undefined && !(value.percentage > 0 && value.percentage <= 1)) {
      errors.push({
        field: [arg, "customerGets", "value", "percentage"],
        message: "Value must be between 0.0 and 1.0",
        code: "VALUE_OUTSIDE_RANGE",
      });
    }
    return errors;
  }

  const storeCredit = storeCreditApi(msw, { dir: options.dir ?? null, fault: () => faults().storeCredit ?? null, log });

  return [
    http.post("https://:shop/admin/api/:version/graphql.json", async ({ request, params }) => {
      const shop = String(params.shop);
      const token = request.headers.get("x-shopify-access-token");
      if (!token || (options.book && !options.book.isUsable(token))) {
        return HttpResponse.json(
          { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
          { status: 401 },
        );
      }
      const { query = "", variables = {} } = (await request.json()) as { query?: string; variables?: Record<string, unknown> };
      const bulkAnswer = bulkFor(shop).answer(query, variables);
      if (bulkAnswer) return bulkAnswer;
      const storeCreditAnswer = storeCredit.answer(shop, query, variables);
      if (storeCreditAnswer) return storeCreditAnswer;
      const syncAnswer = await sync.answer(shop, query, variables);
      if (syncAnswer) return syncAnswer;
      if (query.includes("discountCodeBasicCreate(")) {
        return createDiscount(
          shop,
          "basic",
          (variables.basicCodeDiscount ?? {}) as Record<string, unknown>,
          "discountCodeBasicCreate",
        );
      }
      if (query.includes("discountCodeFreeShippingCreate(")) {
        return createDiscount(
          shop,
          "freeShipping",
          (variables.freeShippingCodeDiscount ?? {}) as Record<string, unknown>,
          "discountCodeFreeShippingCreate",
        );
      }
      if (query.includes("codeDiscountNodeByCode(")) {
        const found = discounts.get(`${shop}|${String(variables.code ?? "").toUpperCase()}`);
        return HttpResponse.json({
          data: { codeDiscountNodeByCode: found ? { id: found.id } : null },
          extensions: COST_EXTENSIONS,
        });
      }
      if (/\bthemes\s*\(/.test(query)) return answerThemes(msw, options.dir, shop, variables);
      if (/\borders\s*\(/.test(query)) {
        log("requests.jsonl", { shop, field: "orders", variables, at: new Date().toISOString() });
        return HttpResponse.json(answerOrders(shop, (options.orders ?? storedOrders)(shop), variables));
      }
      if (/\bshop\s*\{/.test(query)) {
        return HttpResponse.json({
          data: { shop: { name: shop.replace(/\.myshopify\.com$/, ""), currencyCode: "USD", ianaTimezone: "UTC" } },
          extensions: COST_EXTENSIONS,
        });
      }
      return HttpResponse.json({
        errors: [
          { message: "The Regulars Shopify emulator does not answer this operation", extensions: { code: "NOT_IMPLEMENTED" } },
        ],
      });
    }),
    http.get(`${BULK_STORAGE}/:name`, ({ params }) => {
      for (const api of bulk.values()) {
        const file = api.download(String(params.name));
        if (file) return file;
      }
      return new HttpResponse("NoSuchKey", { status: 404 });
    }),
  ];
}

const kindArgument = (kind: "basic" | "freeShipping") => (kind === "basic" ? "basicCodeDiscount" : "freeShippingCodeDiscount");

/** Test side: switch the fault the running server's emulator applies (atomically: write, rename). */
export function writeFaults(dir: string, faults: Faults) {
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `faults.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(faults));
  renameSync(tmp, path.join(dir, "faults.json"));
}

/** Test or demo side: the orders the running server's emulator reports for a shop (written atomically). */
export function writeEmulatedOrders(dir: string, shop: string, orders: OrderNode[]) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "orders.json");
  let all: Record<string, OrderNode[]> = {};
  try {
    all = JSON.parse(readFileSync(file, "utf8")) as Record<string, OrderNode[]>;
  } catch {
    // first write
  }
  all[shop] = orders;
  const tmp = path.join(dir, `orders.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(all));
  renameSync(tmp, file);
}

/** Test side: what the emulator recorded (`requests.jsonl`, `discounts.jsonl`). */
export function readLog<T = Record<string, unknown>>(
  dir: string,
  file: "requests.jsonl" | "discounts.jsonl" | "metafields.jsonl" | "metafield-definitions.jsonl" | "flow.jsonl",
): T[] {
  try {
    return readFileSync(path.join(dir, file), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);
  } catch {
    return [];
  }
}
