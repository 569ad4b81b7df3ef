// GET /app/customers/export?q=&segment=&atRisk= → the customer list exactly as filtered on the
// Customers page, as CSV, streamed a thousand rows at a time.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { attachment, csvStream } from "../csv";
import { SEGMENT_LABELS } from "../analytics/rfm";
import { MEMBER_CSV_HEADER, memberCsvRow, memberList, parseMemberFilter } from "../loyalty/customer-list.server";
import { shopFacts } from "../shops/facts.server";
import { authenticate } from "../shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const filter = parseMemberFilter(new URL(request.url).searchParams);
  const { currency } = await shopFacts(session.shop);
  const list = memberList(session.shop, filter);
  async function* rows() {
    for await (const page of list.pages()) yield page.map((row) => memberCsvRow(row, currency, (s) => SEGMENT_LABELS[s]));
  }
  const name = ["customers", filter.segment, filter.atRisk ? "at-risk" : null, new Date().toISOString().slice(0, 10)]
    .filter(Boolean)
    .join("-");
  return new Response(csvStream(MEMBER_CSV_HEADER, rows()), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": attachment(`${name}.csv`),
      "Cache-Control": "no-store",
    },
  });
}
