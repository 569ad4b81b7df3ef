// GET /app/customers/:id/history.csv → the member's whole points history (newest first, with the
// balance after each row), streamed page by page. Another shop's customer → 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { attachment, csvStream } from "../csv";
import { HISTORY_CSV_HEADER, historyCsvRow, historyPages, memberId } from "../loyalty/customer-profile.server";
import { authenticate } from "../shopify.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shopifyId = params.id ?? "";
  const id = await memberId(session.shop, shopifyId);
  if (id === null) throw new Response("Customer not found", { status: 404 });
  async function* rows() {
    for await (const page of historyPages(session.shop, id!)) yield page.map(historyCsvRow);
  }
  return new Response(csvStream(HISTORY_CSV_HEADER, rows()), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": attachment(`points-history-${shopifyId.replace(/[^\w-]/g, "_")}.csv`),
      "Cache-Control": "no-store",
    },
  });
}
