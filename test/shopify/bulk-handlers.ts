// One shop's bulk-operation API (app/shopify/emulator/bulk-operations.ts, the same one the
// server's emulator mode answers with) as msw handlers for the backfill tests, which run the
// backfill in the test process and write the shop's export files themselves.
import * as msw from "msw";
import {
  API_VERSION,
  BULK_STORAGE,
  bulkOperationsApi as shopBulkApi,
  type BulkOptions,
} from "../../app/shopify/emulator/bulk-operations";

export {
  bulkCustomer,
  bulkOrder,
  jsonl,
  type BulkOrderOptions,
  type FileServe,
} from "../../app/shopify/emulator/bulk-operations";

export function bulkOperationsApi(
  shop: string,
  options: { files: Partial<Record<"orders" | "customers", string>>; pollsWhileRunning?: number },
) {
  const api = shopBulkApi(msw, shop, options satisfies BulkOptions);
  const admin = msw.graphql.link(`https://${shop}/admin/api/${API_VERSION}/graphql.json`);
  const handlers = [
    admin.mutation("RegularsBulkRunQuery", ({ variables }) => api.runQuery(variables) as Response),
    admin.query("RegularsBulkOperation", ({ variables }) => api.poll(variables) as Response),
    admin.query("RegularsCurrentBulkOperation", () => api.current() as Response),
    msw.http.get(
      `${BULK_STORAGE}/:name`,
      ({ params }) => api.download(String(params.name)) ?? new msw.HttpResponse("NoSuchKey", { status: 404 }),
    ),
  ];
  return { ...api, handlers };
}
