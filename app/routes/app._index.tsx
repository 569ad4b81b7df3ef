// Dashboard: do customers come back, and does the program pay? The KPIs of docs/kpis.md for a period
// in the shop's time zone against the previous one, monthly trends, cohorts, RFM segments, at-risk
// customers and program ROI. Every number comes from app/analytics (the same as /app/api/kpis).
import { useEffect, useState, type ReactNode } from "react";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate, useNavigation } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge, Banner, BlockStack, Box, Button, Card, DataTable, DatePicker, EmptyState, InlineGrid, InlineStack, Layout, Link,
  OptionList, Page, Popover, ProgressBar, SkeletonBodyText, SkeletonDisplayText, Text, Tooltip,
} from "@shopify/polaris";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css";
import { db } from "../db.server";
import { dashboardData, InvalidRange, validateRange, type Range } from "../analytics/report.server";
import { SEGMENT_LABELS } from "../analytics/rfm";
import { addDays, today } from "../analytics/time";
import { adminLocale } from "../admin-request";
import { authenticate } from "../shopify.server";
import { deadEventCount } from "../webhooks/inbox.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];
export const meta: MetaFunction = () => [{ title: "Dashboard · Regulars" }];


type Preset = { key: string; label: string; range: (day: string) => Range };
const PRESETS: Preset[] = [
  { key: "30d", label: "Last 30 days", range: (d) => ({ from: addDays(d, -29), to: addDays(d, 1) }) },
  { key: "90d", label: "Last 90 days", range: (d) => ({ from: addDays(d, -89), to: addDays(d, 1) }) },
  { key: "365d", label: "Last 365 days", range: (d) => ({ from: addDays(d, -364), to: addDays(d, 1) }) },
  { key: "month", label: "This month", range: (d) => ({ from: `${d.slice(0, 7)}-01`, to: addDays(d, 1) }) },
  { key: "year", label: "This year", range: (d) => ({ from: `${d.slice(0, 4)}-01-01`, to: addDays(d, 1) }) },
  {
    key: "last-year",
    label: "Last year",
    range: (d) => ({ from: `${Number(d.slice(0, 4)) - 1}-01-01`, to: `${d.slice(0, 4)}-01-01` }),
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const params = new URL(request.url).searchParams;
  const [shopRow, backfill, failedEvents] = await Promise.all([
    db.shop.findUnique({ where: { domain: shop }, select: { timezone: true } }),
    db.backfillJob.findUnique({ where: { shop } }),
    deadEventCount(shop),
  ]);
  const zone = shopRow?.timezone || "UTC";
  let day: string;
  try {
    day = today(zone);
  } catch {
    day = today("UTC");
  }
  const fallback = PRESETS[0].range(day);
  let range: Range = fallback;
  let rangeError: string | null = null;
  if (params.get("from") || params.get("to")) {
    try {
      range = validateRange({ from: params.get("from") ?? "", to: params.get("to") ?? "" });
    } catch (error) {
      if (!(error instanceof InvalidRange)) throw error;
      rangeError = error.message;
    }
  }
  const data = await dashboardData(shop, range);
  const importing = backfill && ["pending", "running", "importing"].includes(backfill.status);
  return {
    data,
    range,
    today: day,
    rangeError,
    locale: adminLocale(new URL(request.url).searchParams),
    backfill: importing
      ? { status: backfill.status, linesDone: backfill.linesDone, linesTotal: backfill.linesTotal ?? null }
      : null,
    failedEvents,
  };
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Kpis = LoaderData["data"]["kpis"];

// ---- formatting ---------------------------------------------------------------------------------
function formatters(locale: string, currency: string) {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  let money: Intl.NumberFormat;
  try {
    money = new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    money = new Intl.NumberFormat(locale, { style: "currency", currency: "USD" });
  }
  const month = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" });
  const day = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
  return {
    number: (v: number) => number.format(v),
    decimal: (v: number) => decimal.format(v),
    percent: (v: number) => percent.format(v),
    money: (v: number) => money.format(v),
    month: (d: string) => month.format(new Date(`${d}T00:00:00Z`)),
    day: (d: string) => day.format(new Date(`${d}T00:00:00Z`)),
  };
}
type Format = ReturnType<typeof formatters>;

/** The range as people read it: `to` is exclusive, so the last day shown is to − 1. */
const rangeLabel = (f: Format, range: Range) => `${f.day(range.from)} – ${f.day(addDays(range.to, -1))}`;

// ---- KPI cards -------------------------------------------------------------------------------------
type KpiKey =
  | "retentionRate" | "churnRate" | "repeatPurchaseRate" | "returningCustomerRate" | "newCustomers" | "reactivatedCustomers"
  | "customersAtEnd" | "orders" | "revenue" | "averageOrderValue" | "purchaseFrequency" | "customerLifetimeValue";

interface KpiCardSpec {
  key: KpiKey;
  label: string;
  format: "percent" | "number" | "money" | "decimal";
  /** A rise is bad news (churn). */
  lowerIsBetter?: boolean;
  /** Retention and churn are undefined when nobody was active at the start of a period. */
  needsCustomersAtStart?: boolean;
  definition: (k: Kpis, f: Format) => string;
}

const CARDS: KpiCardSpec[] = [
  {
    key: "retentionRate", label: "Retention rate", format: "percent", needsCustomersAtStart: true,
    definition: () =>
      "Customer retention rate: (customers active at the end − new − reactivated) ÷ customers active at the start. Active = ordered in the trailing activity window.",
  },
  {
    key: "churnRate", label: "Churn rate", format: "percent", lowerIsBetter: true, needsCustomersAtStart: true,
    definition: () => "1 − retention rate: the share of customers active at the start who are no longer active at the end.",
  },
  {
    key: "repeatPurchaseRate", label: "Repeat purchase rate", format: "percent",
    definition: () => "Customers with 2 or more orders ÷ customers with at least one order, all orders before the end of the period.",
  },
  {
    key: "returningCustomerRate", label: "Returning customer rate", format: "percent",
    definition: () => "Shopify's definition: of the customers who ordered in the period, the share with more than one order to date.",
  },
  {
    key: "newCustomers", label: "New customers", format: "number",
    definition: () => "Customers whose first-ever order was placed in the period.",
  },
  {
    key: "reactivatedCustomers", label: "Reactivated customers", format: "number",
    definition: () => "Customers who were not active at the start of the period, had ordered before, and ordered again in it.",
  },
  {
    key: "customersAtEnd", label: "Active customers", format: "number",
    definition: (k) => `Customers with an order in the ${k.activeWindowDays} days before the end of the period (at the start: ${k.customersAtStart}).`,
  },
  {
    key: "orders", label: "Orders", format: "number",
    definition: () => "Orders placed in the period, guests included; test and cancelled orders excluded.",
  },
  {
    key: "revenue", label: "Revenue", format: "money",
    definition: () => "Subtotal after discounts minus refunded subtotal of the period's orders (shipping and taxes excluded).",
  },
  {
    key: "averageOrderValue", label: "Average order value", format: "money",
    definition: () => "Revenue ÷ orders.",
  },
  {
    key: "purchaseFrequency", label: "Purchase frequency", format: "decimal",
    definition: () => "Orders with a customer ÷ customers who ordered in the period.",
  },
  {
    key: "customerLifetimeValue", label: "Customer lifetime value", format: "money",
    definition: (k, f) => {
      const i = k.customerLifetimeValueInputs;
      const lifespan =
        i.lifespanBasis === "assumed" ? "assumed 1 year (no customers a year earlier yet)"
        : i.lifespanBasis === "capped" ? `capped at ${i.averageLifespanYears} years (churn under 10%)`
        : `${f.decimal(i.averageLifespanYears)} years = 1 ÷ annual churn`;
      return `Textbook CLV over the 12 months to the end of the period: average order value ${f.money(i.averageOrderValue)} × ${f.decimal(i.purchasesPerYear)} purchases per customer per year × lifespan ${lifespan}.`;
    },
  },
];

function formatValue(f: Format, format: KpiCardSpec["format"], value: number) {
  return format === "percent" ? f.percent(value) : format === "money" ? f.money(value) : format === "decimal" ? f.decimal(value) : f.number(value);
}

function Change({ current, previous, format, lowerIsBetter, f }: { current: number; previous: number; format: KpiCardSpec["format"]; lowerIsBetter?: boolean; f: Format }) {
  if (previous === 0 && current === 0) return <Text as="span" tone="subdued" variant="bodySm">No change</Text>;
  // Rates change in points; counts and money in per cent of the previous value.
  const delta = format === "percent" ? current - previous : previous === 0 ? null : (current - previous) / Math.abs(previous);
  if (delta === null) return <Text as="span" tone="subdued" variant="bodySm">New this period</Text>;
  const up = delta > 0;
  const good = delta === 0 ? null : up !== Boolean(lowerIsBetter);
  const text =
    format === "percent"
      ? `${up ? "▲" : delta < 0 ? "▼" : ""} ${f.decimal(Math.abs(delta) * 100)} pts`
      : `${up ? "▲" : delta < 0 ? "▼" : ""} ${f.percent(Math.abs(delta))}`;
  return (
    <Badge tone={good === null ? undefined : good ? "success" : "critical"} size="small">
      {text.trim()}
    </Badge>
  );
}

function KpiCard({ spec, kpis, f, loading }: { spec: KpiCardSpec; kpis: Kpis; f: Format; loading: boolean }) {
  const value = kpis[spec.key];
  const previous = kpis.previous[spec.key];
  return (
    <Card>
      <BlockStack gap="200">
        <Tooltip content={spec.definition(kpis, f)} preferredPosition="above" width="wide">
          <span style={{ borderBottom: "1px dotted var(--p-color-border-emphasis)", cursor: "help" }}>
            <Text as="h3" variant="headingSm" tone="subdued">
              {spec.label}
            </Text>
          </span>
        </Tooltip>
        <div style={{ minHeight: 36, display: "flex", alignItems: "center" }}>
          {loading ? (
            <SkeletonDisplayText size="medium" />
          ) : (
            <Text as="p" variant="headingXl">
              {spec.needsCustomersAtStart && kpis.customersAtStart === 0 ? (
                // The API reports 0 (its rule for an empty denominator); people should read "not defined yet".
                <span data-kpi={spec.key} title="Nobody was active at the start of the period">—</span>
              ) : (
                <span data-kpi={spec.key}>{formatValue(f, spec.format, value)}</span>
              )}
            </Text>
          )}
        </div>
        <InlineStack gap="200" blockAlign="center">
          {spec.needsCustomersAtStart && kpis.previous.customersAtStart === 0 ? (
            <Text as="span" variant="bodySm" tone="subdued">
              No active customers before the previous period to compare with
            </Text>
          ) : (
            <>
              <Change current={value} previous={previous} format={spec.format} lowerIsBetter={spec.lowerIsBetter} f={f} />
              <Text as="span" variant="bodySm" tone="subdued">
                vs {formatValue(f, spec.format, previous)}
              </Text>
            </>
          )}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

// ---- date range picker ----------------------------------------------------------------------------
function useRangeNavigation() {
  const navigate = useNavigate();
  const location = useLocation();
  return (range: Range) => {
    // Keep the admin's own parameters (shop, host, embedded, locale…), replace the range.
    const params = new URLSearchParams(location.search);
    params.set("from", range.from);
    params.set("to", range.to);
    navigate(`${location.pathname}?${params}`);
  };
}

const toDate = (day: string) => new Date(`${day}T12:00:00`);
const toDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

function RangePicker({ range, todayDay, f }: { range: Range; todayDay: string; f: Format }) {
  const go = useRangeNavigation();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState({ start: toDate(range.from), end: toDate(addDays(range.to, -1)) });
  const [month, setMonth] = useState({ month: toDate(range.from).getMonth(), year: toDate(range.from).getFullYear() });
  const active = PRESETS.find((p) => {
    const r = p.range(todayDay);
    return r.from === range.from && r.to === range.to;
  });
  useEffect(() => {
    setSelected({ start: toDate(range.from), end: toDate(addDays(range.to, -1)) });
  }, [range.from, range.to]);
  const apply = (next: Range) => {
    setOpen(false);
    go(next);
  };
  return (
    <Popover
      active={open}
      onClose={() => setOpen(false)}
      preferredAlignment="left"
      fluidContent
      activator={
        <Button onClick={() => setOpen((o) => !o)} disclosure>
          {active ? `${active.label} · ${rangeLabel(f, range)}` : rangeLabel(f, range)}
        </Button>
      }
    >
      <InlineStack wrap={false} align="start" blockAlign="start">
        <Box minWidth="180px" borderInlineEndWidth="025" borderColor="border">
          <OptionList
            options={PRESETS.map((p) => ({ value: p.key, label: p.label }))}
            selected={active ? [active.key] : []}
            onChange={([key]) => {
              const preset = PRESETS.find((p) => p.key === key);
              if (preset) apply(preset.range(todayDay));
            }}
          />
        </Box>
        <Box padding="400" minWidth="300px">
          <BlockStack gap="300">
            <DatePicker
              month={month.month}
              year={month.year}
              onMonthChange={(m, y) => setMonth({ month: m, year: y })}
              selected={selected}
              onChange={setSelected}
              allowRange
              disableDatesAfter={toDate(todayDay)}
            />
            <InlineStack align="end" gap="200">
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button
                variant="primary"
                onClick={() => apply({ from: toDay(selected.start), to: addDays(toDay(selected.end), 1) })}
              >
                Apply
              </Button>
            </InlineStack>
          </BlockStack>
        </Box>
      </InlineStack>
    </Popover>
  );
}

// ---- charts (client only: they measure the DOM) -----------------------------------------------------
function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function ChartCard({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  const hydrated = useHydrated();
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {description}
          </Text>
        </BlockStack>
        {/* Fixed height: the server renders the same box, so nothing moves when the chart draws. */}
        <div style={{ height: 260 }}>{hydrated ? children : <SkeletonBodyText lines={8} />}</div>
      </BlockStack>
    </Card>
  );
}

// ---- cohorts --------------------------------------------------------------------------------------
function CohortTable({ cohorts, f }: { cohorts: LoaderData["data"]["cohorts"]; f: Format }) {
  const width = Math.max(0, ...cohorts.map((c) => c.retention.length));
  const cell: React.CSSProperties = { padding: "6px 8px", textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" };
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "collapse", width: "100%", fontSize: 13 }} aria-label="Cohort retention">
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left" }}>First order</th>
            <th style={cell}>Customers</th>
            {Array.from({ length: width }, (_, m) => (
              <th key={m} style={cell} scope="col">
                {m === 0 ? "Month 0" : `+${m}`}
              </th>
            ))}
            <th style={cell}>Revenue / customer</th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((c) => (
            <tr key={c.month}>
              <th scope="row" style={{ ...cell, textAlign: "left", fontWeight: 500 }}>
                {f.month(c.month)}
              </th>
              <td style={cell}>{f.number(c.customers)}</td>
              {Array.from({ length: width }, (_, m) => {
                const share = c.retention[m];
                if (share === undefined || m === 0) {
                  return (
                    <td key={m} style={{ ...cell, color: "var(--p-color-text-secondary)" }}>
                      {m === 0 && c.customers ? "100%" : ""}
                    </td>
                  );
                }
                // Shade by share; 40% and more is full colour (repeat shares are rarely higher).
                const alpha = c.customers ? Math.min(1, share / 0.4) : 0;
                return (
                  <td
                    key={m}
                    style={{ ...cell, background: `rgba(0, 128, 96, ${0.08 + alpha * 0.72})`, color: alpha > 0.6 ? "white" : "inherit" }}
                    title={`${f.percent(share)} of the ${f.month(c.month)} cohort ordered in month +${m}`}
                  >
                    {c.customers ? f.percent(share) : "–"}
                  </td>
                );
              })}
              <td style={cell}>{f.money(c.cumulativeRevenuePerCustomer.at(-1) ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---- page -----------------------------------------------------------------------------------------
export default function Dashboard() {
  const { data, range, today: todayDay, rangeError, locale, backfill, failedEvents } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";
  const { kpis } = data;
  const f = formatters(locale, kpis.currency);
  const program = kpis.program;
  const clv = kpis.predictedClv;
  const segmentsTotal = data.segments.reduce((sum, s) => sum + s.customers, 0);

  const failedEventsBanner = failedEvents > 0 && (
    <Banner tone="critical" title={`${failedEvents} event${failedEvents === 1 ? "" : "s"} from Shopify could not be applied`} action={{ content: "See failed events", url: "/app/failed-events" }}>
      <p>Points or numbers that depend on them may be missing until they are retried.</p>
    </Banner>
  );

  const backfillBanner = backfill && (
    <Banner tone="info" title="Importing your order history">
      <BlockStack gap="200">
        <p>
          Regulars is importing your past orders and customers so retention, cohorts and CLV cover your whole history.
          Numbers below grow as the import runs; no points are given for past orders.
        </p>
        {backfill.linesTotal ? (
          <>
            <ProgressBar progress={Math.min(100, (100 * backfill.linesDone) / backfill.linesTotal)} size="small" />
            <Text as="p" variant="bodySm" tone="subdued">
              {f.number(backfill.linesDone)} of {f.number(backfill.linesTotal)} records
            </Text>
          </>
        ) : (
          <Text as="p" variant="bodySm" tone="subdued">
            Waiting for Shopify to prepare the export…
          </Text>
        )}
      </BlockStack>
    </Banner>
  );

  if (data.empty) {
    return (
      <Page>
        <TitleBar title="Dashboard" />
        <BlockStack gap="400">
          {failedEventsBanner}
          {backfillBanner}
          <Card>
            <EmptyState
              heading="Your retention dashboard fills in with your first orders"
              action={{ content: "Review program settings", url: "/app/program" }}
              image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
            >
              <p>
                Customers earn points automatically when their orders are paid — 1 point per unit of your store currency
                by default. Retention, repeat purchases, cohorts and customer lifetime value appear here as orders come in.
              </p>
            </EmptyState>
          </Card>
        </BlockStack>
      </Page>
    );
  }

  const monthLabel = (m: string) => f.month(m);
  const revenueSeries = [
    { name: "Revenue", data: data.series.map((p) => ({ key: monthLabel(p.month), value: p.revenue })) },
  ];
  const customerSeries = [
    { name: "New customers", data: data.series.map((p) => ({ key: monthLabel(p.month), value: p.newCustomers })) },
    { name: "Returning customers", data: data.series.map((p) => ({ key: monthLabel(p.month), value: p.returningCustomers })) },
  ];

  return (
    <Page fullWidth>
      <TitleBar title="Dashboard" />
      <PolarisVizProvider>
        <BlockStack gap="400">
          {failedEventsBanner}
          {backfillBanner}
          {rangeError && (
            <Banner tone="warning" title="That date range could not be used">
              <p>{rangeError}. Showing the last 30 days.</p>
            </Banner>
          )}
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <RangePicker range={range} todayDay={todayDay} f={f} />
            <Text as="p" variant="bodySm" tone="subdued">
              Compared with {rangeLabel(f, { from: kpis.previous.from, to: kpis.previous.to })} · times in {kpis.timezone}
            </Text>
          </InlineStack>

          <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 4 }} gap="400">
            {CARDS.map((spec) => (
              <KpiCard key={spec.key} spec={spec} kpis={kpis} f={f} loading={loading} />
            ))}
          </InlineGrid>

          <Layout>
            <Layout.Section variant="oneHalf">
              <ChartCard title="Revenue by month" description="Subtotal after discounts minus refunds, last 12 months (the current month so far).">
                <LineChart data={revenueSeries} theme="Light" isAnimated={false} yAxisOptions={{ labelFormatter: (v) => f.money(Number(v)) }} />
              </ChartCard>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard title="New and returning customers" description="Customers who ordered each month: first order that month, or ordered before.">
                <BarChart data={customerSeries} theme="Light" isAnimated={false} type="stacked" />
              </ChartCard>
            </Layout.Section>
          </Layout>

          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Predicted customer value
                </Text>
                <Badge tone={clv.model === "textbook" ? "attention" : "info"}>
                  {clv.model === "textbook" ? "Textbook estimate" : "Fitted BG/NBD × Gamma-Gamma"}
                </Badge>
              </InlineStack>
              <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                <BlockStack gap="100">
                  <Text as="p" variant="bodySm" tone="subdued">
                    Average expected revenue per customer, next 12 months
                  </Text>
                  <Text as="p" variant="headingLg">
                    <span data-kpi="predictedClv">{f.money(clv.average)}</span>
                  </Text>
                </BlockStack>
                <BlockStack gap="100">
                  <Text as="p" variant="bodySm" tone="subdued">
                    Customers modelled
                  </Text>
                  <Text as="p" variant="headingLg">
                    {f.number(clv.customers)} ({f.number(clv.repeatCustomers)} repeat)
                  </Text>
                </BlockStack>
                <Text as="p" variant="bodySm" tone="subdued">
                  {clv.model === "textbook"
                    ? "Fewer than 30 repeat customers so far, too few to fit a purchase model: this is one year of the textbook CLV (average order value × purchases per customer per year)."
                    : "Each customer's expected purchases (BG/NBD: how often they buy and how likely they have lapsed) times their expected order value (Gamma-Gamma), fitted on your order history."}
                </Text>
              </InlineGrid>
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Cohorts: do first-time customers come back?
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  Customers grouped by the month of their first order; each cell is the share of the cohort who ordered
                  again that many months later. Last column: revenue per customer to date.
                </Text>
              </BlockStack>
              {loading ? <SkeletonBodyText lines={12} /> : <CohortTable cohorts={data.cohorts} f={f} />}
            </BlockStack>
          </Card>

          <Card>
            <BlockStack gap="300">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Customer segments
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  RFM: recency, frequency and spend scored 1–5 by quintile across your customers. Open a segment to see
                  and export its customers.
                </Text>
              </BlockStack>
              <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                {data.segments.map((s) => (
                  <Box key={s.key} padding="300" background="bg-surface-secondary" borderRadius="200">
                    <BlockStack gap="100">
                      <Link url={`/app/customers?segment=${s.key}`} removeUnderline>
                        {SEGMENT_LABELS[s.key]}
                      </Link>
                      <Text as="p" variant="headingLg">
                        <span data-segment={s.key}>{f.number(s.customers)}</span>
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {f.percent(segmentsTotal ? s.customers / segmentsTotal : 0)} · CLV {f.money(s.averagePredictedClv)}
                      </Text>
                    </BlockStack>
                  </Box>
                ))}
              </InlineGrid>
            </BlockStack>
          </Card>

          <Layout>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      At-risk customers ({f.number(data.atRisk.total)})
                    </Text>
                    <Text as="p" variant="bodySm" tone="subdued">
                      Repeat customers whose probability of still being a customer has dropped below{" "}
                      {f.percent(data.atRisk.threshold)}, most valuable first.{" "}
                      <Link url="/app/customers?atRisk=1">See them all and export</Link>
                    </Text>
                  </BlockStack>
                  {data.atRisk.customers.length === 0 ? (
                    <Text as="p" tone="subdued">
                      {clv.model === "textbook"
                        ? "Appears once there are enough repeat customers to fit the model."
                        : "Nobody valuable is slipping away right now."}
                    </Text>
                  ) : (
                    <DataTable
                      columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                      headings={["Customer", "Orders", "Spent", "Days since order", "Still active", "Next 12 months"]}
                      rows={data.atRisk.customers.slice(0, 10).map((c) => [
                        c.name ?? c.email ?? `Customer ${c.customerId}`,
                        f.number(c.orders),
                        f.money(c.revenue),
                        f.number(c.daysSinceLastOrder),
                        f.percent(c.probabilityAlive),
                        f.money(c.predictedClv),
                      ])}
                    />
                  )}
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Program ROI
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric", "numeric"]}
                    headings={["", "Members", "Others"]}
                    rows={[
                      ["Orders", f.number(program.memberOrders), f.number(program.nonMemberOrders)],
                      ["Revenue", f.money(program.memberRevenue), f.money(program.nonMemberRevenue)],
                      ["Avg. order value", f.money(program.memberAverageOrderValue), f.money(program.nonMemberAverageOrderValue)],
                      ["Purchase frequency", f.decimal(program.memberPurchaseFrequency), f.decimal(program.nonMemberPurchaseFrequency)],
                    ]}
                  />
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={["Points", "In period"]}
                    rows={[
                      ["Issued", f.number(program.pointsIssued)],
                      ["Redeemed", `${f.number(program.pointsRedeemed)} (${f.percent(program.redemptionRate)})`],
                      ["Expired", f.number(program.pointsExpired)],
                      ["Outstanding at end", f.number(program.pointsOutstanding)],
                      ["Liability", f.money(program.liability)],
                      ["Members who redeemed", `${f.number(program.redeemers)} of ${f.number(program.members)} (${f.percent(program.redeemerRate)})`],
                    ]}
                  />
                  <Text as="p" variant="bodySm" tone="subdued">
                    {program.liabilityBasis === "rewards"
                      ? "Liability values outstanding points at your most generous amount-off reward."
                      : "No amount-off reward yet: liability values a point at what was spent to earn it (an upper bound)."}
                  </Text>
                </BlockStack>
              </Card>
            </Layout.Section>
          </Layout>
        </BlockStack>
      </PolarisVizProvider>
    </Page>
  );
}
