// Dashboard: the program at a glance for the signed-in shop.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { BlockStack, Card, EmptyState, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { isEmptyProgram, programSummary } from "../loyalty/program-summary.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Regulars" }];

/** The admin passes the merchant's locale (`?locale=fr`); numbers are formatted in it. */
function adminLocale(request: Request): string {
  const requested = new URL(request.url).searchParams.get("locale");
  try {
    return (requested && Intl.NumberFormat.supportedLocalesOf(requested)[0]) || "en";
  } catch {
    return "en"; // malformed tag
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const summary = await programSummary(session.shop);
  return { summary, empty: isEmptyProgram(summary), locale: adminLocale(request) };
}

interface MetricProps {
  label: string;
  value: string;
  detail?: string;
}

function Metric({ label, value, detail }: MetricProps) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value}
        </Text>
        {detail && (
          <Text as="p" variant="bodySm" tone="subdued">
            {detail}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export default function Dashboard() {
  const { summary, empty, locale } = useLoaderData<typeof loader>();
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const { points } = summary;

  return (
    <Page>
      <TitleBar title="Dashboard" />
      {empty ? (
        <Card>
          <EmptyState
            heading="Your program is ready"
            action={{ content: "Review program settings", url: "/app/program" }}
            image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
          >
            <p>
              Customers earn points automatically when their orders are paid — 1 point per unit of your store currency
              by default. Members, points and orders appear here as those orders come in.
            </p>
          </EmptyState>
        </Card>
      ) : (
        <Layout>
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
              <Metric label="Members" value={number.format(summary.members)} detail="Customers enrolled in the program" />
              <Metric
                label="Orders tracked"
                value={number.format(summary.ordersTracked)}
                detail="Orders recorded by Regulars, test orders excluded"
              />
              <Metric
                label="Points issued"
                value={number.format(points.issued)}
                detail={
                  points.clawedBack > 0
                    ? `${number.format(points.clawedBack)} taken back by refunds and cancellations`
                    : "From paid orders, bonuses and adjustments"
                }
              />
              <Metric
                label="Points redeemed"
                value={number.format(points.redeemed)}
                detail={`${percent.format(summary.redemptionRate)} of points issued`}
              />
              <Metric
                label="Points outstanding"
                value={number.format(points.outstanding)}
                detail={
                  points.expired > 0
                    ? `Held by customers now; ${number.format(points.expired)} expired`
                    : "Held by customers now, ready to redeem"
                }
              />
            </InlineGrid>
          </Layout.Section>
        </Layout>
      )}
    </Page>
  );
}
