// The dashboard's KPI cards: each figure of docs/kpis.md with its definition on hover and the
// change against the previous period of the same length.
import { Badge, BlockStack, Card, InlineStack, SkeletonDisplayText, Text, Tooltip } from "@shopify/polaris";
import type { AdminFormat as Format } from "../../admin/format";
import { Undefined } from "./Undefined";
import type { Kpis } from "./view";

type KpiKey =
  | "retentionRate"
  | "churnRate"
  | "repeatPurchaseRate"
  | "returningCustomerRate"
  | "newCustomers"
  | "reactivatedCustomers"
  | "customersAtEnd"
  | "orders"
  | "revenue"
  | "averageOrderValue"
  | "purchaseFrequency"
  | "customerLifetimeValue";

interface KpiCardSpec {
  key: KpiKey;
  label: string;
  format: "percent" | "number" | "money" | "decimal";
  /** A rise is bad news (churn). */
  lowerIsBetter?: boolean;
  /** Why a rate or average is undefined (the API's null: its denominator is zero), in one line. */
  undefinedReason?: string;
  definition: (k: Kpis, f: Format) => string;
}

const NOBODY_AT_START = "No customers were active at the start of this period";
const NOBODY_ORDERED = "No customer ordered in this period";

export const CARDS: KpiCardSpec[] = [
  {
    key: "retentionRate",
    label: "Retention rate",
    format: "percent",
    undefinedReason: NOBODY_AT_START,
    definition: () =>
      "Customer retention rate: (customers active at the end − new − reactivated) ÷ customers active at the start. Active = ordered in the trailing activity window.",
  },
  {
    key: "churnRate",
    label: "Churn rate",
    format: "percent",
    lowerIsBetter: true,
    undefinedReason: NOBODY_AT_START,
    definition: () => "1 − retention rate: the share of customers active at the start who are no longer active at the end.",
  },
  {
    key: "repeatPurchaseRate",
    label: "Repeat purchase rate",
    format: "percent",
    undefinedReason: "No customer has ordered yet",
    definition: () =>
      "Customers with 2 or more orders ÷ customers with at least one order, all orders before the end of the period.",
  },
  {
    key: "returningCustomerRate",
    label: "Returning customer rate",
    format: "percent",
    undefinedReason: NOBODY_ORDERED,
    definition: () =>
      "Shopify's definition: of the customers who ordered in the period, the share with more than one order to date.",
  },
  {
    key: "newCustomers",
    label: "New customers",
    format: "number",
    definition: () => "Customers whose first-ever order was placed in the period.",
  },
  {
    key: "reactivatedCustomers",
    label: "Reactivated customers",
    format: "number",
    definition: () => "Customers who were not active at the start of the period, had ordered before, and ordered again in it.",
  },
  {
    key: "customersAtEnd",
    label: "Active customers",
    format: "number",
    definition: (k) =>
      `Customers with an order in the ${k.activeWindowDays} days before the end of the period (at the start: ${k.customersAtStart}).`,
  },
  {
    key: "orders",
    label: "Orders",
    format: "number",
    definition: () => "Orders placed in the period, guests included; test and cancelled orders excluded.",
  },
  {
    key: "revenue",
    label: "Revenue",
    format: "money",
    definition: () => "Subtotal after discounts minus refunded subtotal of the period's orders (shipping and taxes excluded).",
  },
  {
    key: "averageOrderValue",
    label: "Average order value",
    format: "money",
    undefinedReason: "No orders in this period",
    definition: () => "Revenue ÷ orders.",
  },
  {
    key: "purchaseFrequency",
    label: "Purchase frequency",
    format: "decimal",
    undefinedReason: NOBODY_ORDERED,
    definition: () => "Orders with a customer ÷ customers who ordered in the period.",
  },
  {
    key: "customerLifetimeValue",
    label: "Customer lifetime value",
    format: "money",
    undefinedReason: "No orders in the 12 months to the end of this period",
    definition: (k, f) => {
      const i = k.customerLifetimeValueInputs;
      if (i.averageOrderValue === null || i.purchasesPerYear === null)
        return "Textbook CLV over the 12 months to the end of the period: average order value × purchases per customer per year × lifespan. No orders in those 12 months yet.";
      const lifespan =
        i.lifespanBasis === "assumed"
          ? "assumed 1 year (no customers a year earlier yet)"
          : i.lifespanBasis === "capped"
            ? `capped at ${i.averageLifespanYears} years (churn under 10%)`
            : `${f.decimal(i.averageLifespanYears)} years = 1 ÷ annual churn`;
      return `Textbook CLV over the 12 months to the end of the period: average order value ${f.money(i.averageOrderValue)} × ${f.decimal(i.purchasesPerYear)} purchases per customer per year × lifespan ${lifespan}.`;
    },
  },
];

function formatValue(f: Format, format: KpiCardSpec["format"], value: number) {
  return format === "percent"
    ? f.percent(value)
    : format === "money"
      ? f.money(value)
      : format === "decimal"
        ? f.decimal(value)
        : f.number(value);
}

function Change({
  current,
  previous,
  format,
  lowerIsBetter,
  f,
}: {
  current: number;
  previous: number;
  format: KpiCardSpec["format"];
  lowerIsBetter?: boolean;
  f: Format;
}) {
  if (previous === 0 && current === 0)
    return (
      <Text as="span" tone="subdued" variant="bodySm">
        No change
      </Text>
    );
  // Rates change in points; counts and money in per cent of the previous value.
  const delta = format === "percent" ? current - previous : previous === 0 ? null : (current - previous) / Math.abs(previous);
  if (delta === null)
    return (
      <Text as="span" tone="subdued" variant="bodySm">
        New this period
      </Text>
    );
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

export function KpiCard({ spec, kpis, f, loading }: { spec: KpiCardSpec; kpis: Kpis; f: Format; loading: boolean }) {
  const value = kpis[spec.key];
  const previous = kpis.previous[spec.key];
  const reason = spec.undefinedReason ?? "Not defined for this period";
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
              {value === null ? (
                <Undefined kpi={spec.key} reason={reason} />
              ) : (
                <span data-kpi={spec.key}>{formatValue(f, spec.format, value)}</span>
              )}
            </Text>
          )}
        </div>
        <InlineStack gap="200" blockAlign="center">
          {value === null ? (
            <Text as="span" variant="bodySm" tone="subdued">
              <span data-undefined-reason={spec.key}>{reason}</span>
            </Text>
          ) : previous === null ? (
            <Text as="span" variant="bodySm" tone="subdued">
              Not defined in the previous period: nothing to compare with
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
