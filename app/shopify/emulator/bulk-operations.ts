// Shopify's Admin API bulk operations, in the documented 2026-10 shapes: `bulkOperationRunQuery`
// creates an operation (one bulk query per shop at a time), `node(id:)` reports it CREATED →
// RUNNING → COMPLETED with `objectCount` (a string, as UnsignedInt64 is) and a signed `url`, and
// that URL serves the JSONL result file.
//
// Shared by the server's emulator mode (admin-graphql.ts dispatches to `answer`, with each shop's
// files read from the emulator's directory) and the backfill tests (test/shopify/bulk-handlers.ts
// wraps one shop's API in msw handlers and writes its files), so both exercise the same Shopify.
// msw is handed in by the caller: a production bundle never references it.
import type * as Msw from "msw";

export const API_VERSION = "2026-10";
export const BULK_STORAGE = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs";

export type BulkWhat = "orders" | "customers";

/** How the result file is served: whole, or cut off after some bytes (a dropped connection). */
export type FileServe = { body: string; cutAfterBytes?: number };

type Operation = {
  id: string;
  what: BulkWhat;
  query: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED";
  polls: number;
  errorCode: string | null;
  createdAt: string;
  /** Its download link has run out (they last seven days). */
  expired: boolean;
};

export type BulkApi = ReturnType<typeof bulkOperationsApi>;

export type BulkOptions = {
  /** Each export's JSONL: given (tests), or read when the export starts (the emulator reads its directory). */
  files: Partial<Record<BulkWhat, string>> | ((what: BulkWhat) => string | undefined);
  /** How many polls answer RUNNING before COMPLETED. */
  pollsWhileRunning?: number;
};

/** One shop's bulk-operation API; `answer` and `download` return null for what is not theirs. */
export function bulkOperationsApi(msw: Pick<typeof Msw, "HttpResponse">, shop: string, options: BulkOptions) {
  const { HttpResponse } = msw;
  const files: Partial<Record<BulkWhat, FileServe>> = {};
  const given = options.files;
  if (typeof given !== "function") for (const [what, body] of Object.entries(given)) files[what as BulkWhat] = { body: body! };
  const operations = new Map<string, Operation>();
  const downloads: string[] = [];
  const queries: string[] = [];
  let next = 1;

  const lineCount = (body: string) => body.split("\n").filter((l) => l.trim() !== "").length;
  const fileUrl = (op: Operation) =>
    `${BULK_STORAGE}/${encodeURIComponent(op.id.split("/").pop()!)}-final.jsonl?X-Goog-Signature=test`;

  const view = (op: Operation) => {
    const file = files[op.what];
    const total = file ? lineCount(file.body) : 0;
    const completed = op.status === "COMPLETED";
    return {
      id: op.id,
      status: op.status,
      errorCode: op.errorCode,
      objectCount: String(completed ? total : Math.floor(total / 2)),
      rootObjectCount: String(completed ? total : Math.floor(total / 2)),
      url: completed && total > 0 ? fileUrl(op) : null,
      partialDataUrl: null,
      createdAt: op.createdAt,
      completedAt: completed ? new Date().toISOString() : null,
    };
  };

  function runQuery(variables: Record<string, unknown>) {
    const query = String(variables.query);
    queries.push(query);
    // Shopify's validation of bulk queries that our queries could trip over.
    if (/refunds\s*(\([^)]*\))?\s*\{[^{}]*\b(refundLineItems|transactions)\b/.test(query)) {
      return HttpResponse.json({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [
              {
                field: ["query"],
                message: "Queries that contain a connection field within a list field are not currently supported.",
                code: "INVALID",
              },
            ],
          },
        },
      });
    }
    const running = [...operations.values()].find((op) => op.status === "CREATED" || op.status === "RUNNING");
    if (running) {
      return HttpResponse.json({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [
              {
                field: null,
                message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`,
                code: "OPERATION_IN_PROGRESS",
              },
            ],
          },
        },
      });
    }
    const what: BulkWhat = /^\s*\{\s*orders\b/.test(query) ? "orders" : "customers";
    if (typeof given === "function") {
      const body = given(what);
      if (body === undefined) delete files[what];
      else files[what] = { ...files[what], body };
    }
    const op: Operation = {
      id: `gid://shopify/BulkOperation/${1000 + next++}`,
      what,
      query,
      status: "CREATED",
      polls: 0,
      errorCode: null,
      createdAt: new Date().toISOString(),
      expired: false,
    };
    operations.set(op.id, op);
    return HttpResponse.json({ data: { bulkOperationRunQuery: { bulkOperation: view(op), userErrors: [] } } });
  }

  function poll(variables: Record<string, unknown>) {
    const op = operations.get(String(variables.id));
    if (!op) return HttpResponse.json({ data: { node: null } });
    if (op.status === "CREATED" || op.status === "RUNNING") {
      op.status = op.polls++ < (options.pollsWhileRunning ?? 1) ? "RUNNING" : "COMPLETED";
    }
    return HttpResponse.json({ data: { node: view(op) } });
  }

  function current() {
    const last = [...operations.values()].at(-1);
    return HttpResponse.json({ data: { currentBulkOperation: last ? view(last) : null } });
  }

  /** The result file behind a signed URL's last path segment, or null when no operation of this shop has it. */
  function download(name: string) {
    const op = [...operations.values()].find((o) => fileUrl(o).includes(`/${name}?`));
    const file = op && files[op.what];
    if (!op || !file) return null;
    downloads.push(op.what);
    if (op.expired) return new HttpResponse("<Error><Code>ExpiredToken</Code></Error>", { status: 400 });
    const bytes = new TextEncoder().encode(file.body);
    const cut = file.cutAfterBytes;
    // Several network chunks, so lines straddle chunk boundaries as they do for real; a cut
    // file errors after its last chunk is read (erroring at once would drop the queued chunks).
    const end = cut ?? bytes.length;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset < end) {
          controller.enqueue(bytes.slice(offset, Math.min(end, offset + 4096)));
          offset += 4096;
        } else if (cut !== undefined) {
          controller.error(new TypeError("terminated: other side closed"));
        } else {
          controller.close();
        }
      },
    });
    return new HttpResponse(stream, { headers: { "Content-Type": "application/jsonl" } });
  }

  return {
    runQuery,
    poll,
    current,
    download,
    /** The Admin GraphQL request if it is a bulk-operation one (by the field it asks for), else null. */
    answer(query: string, variables: Record<string, unknown>) {
      if (query.includes("bulkOperationRunQuery(")) return runQuery(variables);
      if (/\bcurrentBulkOperation\b/.test(query)) return current();
      if (/\bnode\s*\(/.test(query) && query.includes("BulkOperation")) return poll(variables);
      return null;
    },
    operations,
    /** Which files were downloaded, in order. */
    downloads,
    /** The bulk queries the app sent. */
    queries,
    /** Every download link handed out so far stops working (new exports get working ones). */
    expireLinks() {
      for (const op of operations.values()) op.expired = true;
    },
    /** Replace how a file is served from now on (cut it, or serve it whole again). */
    serve(what: BulkWhat, serve: Partial<FileServe>) {
      files[what] = { body: files[what]?.body ?? "", ...serve };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Result lines in the shape a bulk query's JSONL has: one object per line, ids as GIDs,
// money as `{ shopMoney: { amount } }` strings, list fields (refunds) inline.

export type BulkOrderOptions = {
  id: number;
  customerId?: number | null;
  subtotal?: string;
  /** Subtotal after returns; defaults to `subtotal` minus the refunds' subtotals. */
  currentSubtotal?: string;
  total?: string;
  test?: boolean;
  processedAt?: string;
  cancelledAt?: string | null;
  financialStatus?: string;
  refunds?: { id: number; subtotal: string; total?: string; createdAt?: string }[];
};

const money = (amount: string) => ({ shopMoney: { amount } });

export function bulkOrder(o: BulkOrderOptions) {
  const subtotal = o.subtotal ?? "100.00";
  const refunds = o.refunds ?? [];
  const refundedCents = refunds.reduce((sum, r) => sum + Math.round(Number(r.subtotal) * 100), 0);
  const current = o.currentSubtotal ?? ((Math.round(Number(subtotal) * 100) - refundedCents) / 100).toFixed(2);
  const processedAt = o.processedAt ?? "2025-03-01T10:00:00Z";
  return {
    id: `gid://shopify/Order/${o.id}`,
    name: `#${1000 + (o.id % 100000)}`,
    createdAt: processedAt,
    processedAt,
    cancelledAt: o.cancelledAt ?? null,
    test: o.test ?? false,
    currencyCode: "USD",
    displayFinancialStatus: o.financialStatus ?? (refunds.length ? "PARTIALLY_REFUNDED" : "PAID"),
    discountCodes: [],
    subtotalPriceSet: money(subtotal),
    currentSubtotalPriceSet: money(current),
    totalPriceSet: money(o.total ?? subtotal),
    customer:
      o.customerId === null
        ? null
        : {
            id: `gid://shopify/Customer/${o.customerId ?? 7_000_000_001}`,
            firstName: "Sam",
            lastName: "Shopper",
            defaultEmailAddress: { emailAddress: `customer${o.customerId ?? 7_000_000_001}@example.com` },
          },
    refunds: refunds.map((r) => ({
      id: `gid://shopify/Refund/${r.id}`,
      createdAt: r.createdAt ?? "2025-03-05T10:00:00Z",
      totalRefundedSet: money(r.total ?? r.subtotal),
    })),
  };
}

export function bulkCustomer(
  id: number,
  extra: { firstName?: string; lastName?: string; email?: string | null; birthDate?: string | null } = {},
) {
  return {
    id: `gid://shopify/Customer/${id}`,
    firstName: extra.firstName ?? "Riley",
    lastName: extra.lastName ?? "Regular",
    defaultEmailAddress: extra.email === null ? null : { emailAddress: extra.email ?? `customer${id}@example.com` },
    // The aliased `facts.birth_date` metafield of the customers query: null when the customer has none.
    birthDate: extra.birthDate ? { value: extra.birthDate } : null,
  };
}

export function jsonl(objects: unknown[]): string {
  return objects.map((o) => JSON.stringify(o)).join("\n") + (objects.length ? "\n" : "");
}
