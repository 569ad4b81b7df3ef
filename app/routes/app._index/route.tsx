// Dashboard: do customers come back, and does the program pay? The KPIs of docs/kpis.md for a period
// in the shop's time zone against the previous one, monthly trends, cohorts, RFM segments, at-risk
// customers and program ROI. Every number comes from app/analytics (the same as /app/api/kpis);
// the cards are the components beside this file.
import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigation } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css";
import { adminFormat } from "../../admin/format";
import { adminLocale } from "../../admin/request";
import { MIN_REPEAT_CUSTOMERS_TO_FIT } from "../../analytics/clv";
import { dashboardData, InvalidRange, validateRange, type Range } from "../../analytics/report.server";
import { today } from "../../analytics/time";
import { isImporting } from "../../backfill/jobs.server";
import { db } from "../../db.server";
import { onboardingPending, onboardingStatus } from "../../onboarding/onboarding.server";
import { authenticate } from "../../shopify.server";
import { shopFacts } from "../../shops/facts.server";
import { deadEventCount } from "../../webhooks/inbox.server";
import { ResumeCard } from "../app.onboarding/ResumeCard";
import { AtRiskAndRoi, CohortsCard, PredictedValueCard, SegmentsCard } from "./cards";
import { ChartCard } from "./ChartCard";
import { CARDS, KpiCard } from "./KpiCards";
import { PRESETS } from "./presets";
import { RangePicker, rangeLabel } from "./RangePicker";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];
export const meta: MetaFunction = () => [{ title: "Dashboard · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const params = new URL(request.url).searchParams;
  if (await onboardingPending(shop)) throw redirect(onboardingPath(params));
  const [facts, backfill, failedEvents, setup] = await Promise.all([
    shopFacts(shop),
    db.backfillJob.findUnique({ where: { shop } }),
    deadEventCount(shop),
    onboardingStatus(shop),
  ]);
  const zone = facts.timezone;
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
  const importing = backfill && isImporting(backfill.status);
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
    clvFitMinimum: MIN_REPEAT_CUSTOMERS_TO_FIT,
    resumeSetup: setup.finishedAt ? null : { done: setup.done, total: Object.keys(setup.checklist).length },
  };
}

/** The onboarding, keeping the admin's parameters (embedded, shop, host, id_token) but not Remix's own. */
function onboardingPath(params: URLSearchParams) {
  const kept = new URLSearchParams(params);
  for (const name of ["_data", "index", "from", "to"]) kept.delete(name);
  const query = kept.toString();
  return `/app/onboarding${query ? `?${query}` : ""}`;
}

export default function Dashboard() {
  const {
    data,
    range,
    today: todayDay,
    rangeError,
    locale,
    backfill,
    failedEvents,
    clvFitMinimum,
    resumeSetup,
  } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";
  const { kpis } = data;
  const f = adminFormat({ locale, currency: kpis.currency, timeZone: kpis.timezone });

  const failedEventsBanner = failedEvents > 0 && (
    <Banner
      tone="critical"
      title={`${failedEvents} event${failedEvents === 1 ? "" : "s"} from Shopify could not be applied`}
      action={{ content: "See failed events", url: "/app/failed-events" }}
    >
      <p>Points or numbers that depend on them may be missing until they are retried.</p>
    </Banner>
  );

  const resumeCard = resumeSetup && <ResumeCard done={resumeSetup.done} total={resumeSetup.total} />;

  const backfillBanner = backfill && (
    <Banner tone="info" title="Importing your order history">
      <BlockStack gap="200">
        <p>
          Regulars is importing your past orders and customers so retention, cohorts and CLV cover your whole history. Numbers
          below grow as the import runs; no points are given for past orders.
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
          {resumeCard}
          {backfillBanner}
          <Card>
            <EmptyState
              heading="Your retention dashboard fills in with your first orders"
              action={{ content: "Review program settings", url: "/app/program" }}
              image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
            >
              <p>
                Customers earn points automatically when their orders are paid — 1 point per unit of your store currency by
                default. Retention, repeat purchases, cohorts and customer lifetime value appear here as orders come in.
              </p>
            </EmptyState>
          </Card>
        </BlockStack>
      </Page>
    );
  }

  const monthLabel = (m: string) => f.month(m);
  const revenueSeries = [{ name: "Revenue", data: data.series.map((p) => ({ key: monthLabel(p.month), value: p.revenue })) }];
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
          {resumeCard}
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
              <ChartCard
                title="Revenue by month"
                description="Subtotal after discounts minus refunds, last 12 months (the current month so far)."
              >
                <LineChart
                  data={revenueSeries}
                  theme="Light"
                  isAnimated={false}
                  yAxisOptions={{ labelFormatter: (v) => f.money(Number(v)) }}
                />
              </ChartCard>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <ChartCard
                title="New and returning customers"
                description="Customers who ordered each month: first order that month, or ordered before."
              >
                <BarChart data={customerSeries} theme="Light" isAnimated={false} type="stacked" />
              </ChartCard>
            </Layout.Section>
          </Layout>

          <PredictedValueCard data={data} f={f} loading={loading} fitMinimum={clvFitMinimum} />

          <CohortsCard data={data} f={f} loading={loading} />

          <SegmentsCard data={data} f={f} loading={loading} />

          <AtRiskAndRoi data={data} f={f} loading={loading} />
        </BlockStack>
      </PolarisVizProvider>
    </Page>
  );
}
