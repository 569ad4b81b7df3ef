// The dashboard's cards below the KPIs: predicted customer value, cohorts, RFM segments, at-risk
// customers and program ROI. Each takes the dashboard data and the admin's formatting.
import {
  Badge,
  BlockStack,
  Box,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  SkeletonBodyText,
  Text,
} from "@shopify/polaris";
import type { AdminFormat as Format } from "../../admin/format";
import { SEGMENT_LABELS } from "../../analytics/rfm";
import { CohortTable } from "./CohortTable";
import { Undefined } from "./Undefined";
import type { DashboardView } from "./view";

type CardProps = { data: DashboardView; f: Format; loading: boolean };

const noPrediction = (customers: number) =>
  customers === 0 ? "No customers to predict for yet" : "No orders in the last 12 months to base an estimate on";

/** A money or number figure that may be undefined (null): "—" with the reason on hover. */
const or = (value: number | null, format: (value: number) => string, reason: string) =>
  value === null ? <Undefined reason={reason} /> : format(value);

/** `fitMinimum`: repeat customers needed before the purchase model is fitted (the analytics' threshold). */
export function PredictedValueCard({ data, f, fitMinimum }: CardProps & { fitMinimum: number }) {
  const clv = data.kpis.predictedClv;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Predicted customer value
          </Text>
          <Badge tone={data.kpis.predictedClv.model === "textbook" ? "attention" : "info"}>
            {data.kpis.predictedClv.model === "textbook" ? "Textbook estimate" : "Fitted BG/NBD × Gamma-Gamma"}
          </Badge>
        </InlineStack>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <BlockStack gap="100">
            <Text as="p" variant="bodySm" tone="subdued">
              Average expected revenue per customer, next 12 months
            </Text>
            <Text as="p" variant="headingLg">
              {clv.average === null ? (
                <Undefined kpi="predictedClv" reason={noPrediction(clv.customers)} />
              ) : (
                <span data-kpi="predictedClv">{f.money(clv.average)}</span>
              )}
            </Text>
            {clv.average === null && (
              <Text as="p" variant="bodySm" tone="subdued">
                {noPrediction(clv.customers)}
              </Text>
            )}
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
            {data.kpis.predictedClv.model === "textbook"
              ? `Fewer than ${fitMinimum} repeat customers so far, too few to fit a purchase model: this is one year of the textbook CLV (average order value × purchases per customer per year).`
              : "Each customer's expected purchases (BG/NBD: how often they buy and how likely they have lapsed) times their expected order value (Gamma-Gamma), fitted on your order history."}
          </Text>
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

export function CohortsCard({ data, f, loading }: CardProps) {
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Cohorts: do first-time customers come back?
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            Customers grouped by the month of their first order; each cell is the share of the cohort who ordered again that many
            months later. Last column: revenue per customer to date.
          </Text>
        </BlockStack>
        {loading ? <SkeletonBodyText lines={12} /> : <CohortTable cohorts={data.cohorts} f={f} />}
      </BlockStack>
    </Card>
  );
}

export function SegmentsCard({ data, f }: CardProps) {
  const segmentsTotal = data.segments.reduce((sum, s) => sum + s.customers, 0);
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Customer segments
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            RFM: recency, frequency and spend scored 1–5 by quintile across your customers. Open a segment to see and export its
            customers.
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
                  {segmentsTotal ? f.percent(s.customers / segmentsTotal) : <Undefined reason="No customers yet" />} · CLV{" "}
                  {or(s.averagePredictedClv, f.money, "Nobody in this segment")}
                </Text>
              </BlockStack>
            </Box>
          ))}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

const NO_MEMBER_ORDERS = "No member orders in this period";
const NO_OTHER_ORDERS = "No orders from non-members in this period";

export function AtRiskAndRoi({ data, f }: CardProps) {
  const program = data.kpis.program;
  return (
    <Layout>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                At-risk customers ({f.number(data.atRisk.total)})
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                Repeat customers whose probability of still being a customer has dropped below {f.percent(data.atRisk.threshold)},
                most valuable first. <Link url="/app/customers?atRisk=1">See them all and export</Link>
              </Text>
            </BlockStack>
            {data.atRisk.customers.length === 0 ? (
              <Text as="p" tone="subdued">
                {data.kpis.predictedClv.model === "textbook"
                  ? "Appears once there are enough repeat customers to fit the model."
                  : "Nobody valuable is slipping away right now."}
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Customer", "Orders", "Spent", "Days since order", "Still active", "Next 12 months"]}
                rows={data.atRisk.customers
                  .slice(0, 10)
                  .map((c) => [
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
                [
                  "Avg. order value",
                  or(program.memberAverageOrderValue, f.money, NO_MEMBER_ORDERS),
                  or(program.nonMemberAverageOrderValue, f.money, NO_OTHER_ORDERS),
                ],
                [
                  "Purchase frequency",
                  or(program.memberPurchaseFrequency, f.decimal, NO_MEMBER_ORDERS),
                  or(program.nonMemberPurchaseFrequency, f.decimal, NO_OTHER_ORDERS),
                ],
              ]}
            />
            {(program.memberAverageOrderValue === null || program.nonMemberAverageOrderValue === null) && (
              <Text as="p" variant="bodySm" tone="subdued">
                — {program.memberAverageOrderValue === null ? NO_MEMBER_ORDERS : NO_OTHER_ORDERS}
              </Text>
            )}
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={["Points", "In period"]}
              rows={[
                ["Issued", f.number(program.pointsIssued)],
                [
                  "Redeemed",
                  <>
                    {f.number(program.pointsRedeemed)} (
                    {or(program.redemptionRate, f.percent, "No points were issued in this period")})
                  </>,
                ],
                ["Expired", f.number(program.pointsExpired)],
                ["Outstanding at end", f.number(program.pointsOutstanding)],
                ["Liability", f.money(program.liability)],
                [
                  "Members who redeemed",
                  <>
                    {f.number(program.redeemers)} of {f.number(program.members)} (
                    {or(program.redeemerRate, f.percent, "No members yet")})
                  </>,
                ],
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
  );
}
