// GET /app/api/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD — the KPIs of docs/kpis.md for [from, to) in the
// shop's time zone, with the previous period. Session-token auth (Authorization: Bearer <JWT>).
// Rates are fractions in [0, 1]; money is in shop currency units (numbers, 2 decimals). A rate or
// average whose denominator is zero is null (undefined), never 0: see docs/kpis.md.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { InvalidRange, kpiReport, validateRange } from "../analytics/report.server";
import { isDay } from "../analytics/time";
import { authenticate } from "../shopify.server";

const day = (name: string) =>
  z
    .string({ required_error: `${name} is required (YYYY-MM-DD)` })
    .refine(isDay, { message: `${name} must be a date YYYY-MM-DD` });

const Query = z
  .object({ from: day("from"), to: day("to") })
  .refine((r) => r.to > r.from, { message: "to must be after from: the period is [from, to)", path: ["to"] })
  .superRefine((range, ctx) => {
    try {
      validateRange(range);
    } catch (error) {
      if (!(error instanceof InvalidRange)) throw error;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: error.message });
    }
  });

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = Query.safeParse({ from: params.from, to: params.to });
  if (!parsed.success) {
    const error = parsed.error.issues.map((issue) => issue.message).join("; ");
    return Response.json({ error }, { status: 400 });
  }
  return Response.json(await kpiReport(session.shop, parsed.data), { headers: { "Cache-Control": "private, no-store" } });
}
