// A member: who they are, their balance (checked against the ledger), tier and segment, the
// orders we hold with the points each earned or lost, the full points history, and the owner's
// "Adjust points" form (a ledger row of kind `adjust`, once per form nonce, never below zero unless
// the program allows it). `:id` is the Shopify customer id; another shop's customer is a 404.
import { useMemo } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { SEGMENT_LABELS } from "../../analytics/rfm";
import {
  AdjustmentError,
  adjustPoints,
  MAX_REASON_LENGTH,
  MemberNotFound,
  parseAdjustment,
  staffActor,
} from "../../loyalty/adjustments.server";
import { memberDetail, pointsHistory } from "../../loyalty/customer-profile.server";
import { customerStoreCredit } from "../../loyalty/customer-store-credit.server";
import { shopFacts } from "../../shops/facts.server";
import { adminFormat } from "../../admin/format";
import { adminLocale, cursorOf } from "../../admin/request";
import { adminErrorBoundary } from "../../admin/boundary";
import { authenticate } from "../../shopify.server";
import { AdjustCard, BalanceCard, HistoryCard, OrdersCard, TierHistoryCard, type ActionResult } from "./cards";
import { StoreCreditCard } from "./store-credit";

/** An erased customer is not looked up in Shopify. */
const noStoreCredit: Array<{ accountId: string; amount: string; currency: string }> = [];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.member.name ?? "Customer"} · Regulars` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const search = new URL(request.url).searchParams;
  const member = await memberDetail(session.shop, params.id ?? "");
  if (!member) throw new Response("Customer not found", { status: 404 });
  const [history, shop, storeCredit] = await Promise.all([
    pointsHistory(session.shop, member.id, {
      after: cursorOf(search.get("historyAfter")),
      before: cursorOf(search.get("historyBefore")),
    }),
    shopFacts(session.shop),
    member.redacted ? noStoreCredit : customerStoreCredit(session.shop, member.shopifyId),
  ]);
  return {
    member,
    history,
    currency: shop.currency,
    storeCredit,
    timezone: shop.timezone,
    locale: adminLocale(search),
    // A fresh nonce with every render of the form: posting the same form twice adjusts once.
    nonce: crypto.randomUUID(),
    maxReasonLength: MAX_REASON_LENGTH,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "adjust")
    return json<ActionResult>({ ok: false, error: "Unknown action", field: null }, { status: 400 });
  try {
    const input = parseAdjustment({ delta: form.get("delta"), reason: form.get("reason"), nonce: form.get("nonce") });
    const actor = await staffActor(session.shop, sessionToken?.sub);
    const result = await adjustPoints(session.shop, params.id ?? "", input, actor);
    return json<ActionResult>({ ok: true, ...result });
  } catch (error) {
    if (error instanceof MemberNotFound) throw new Response("Customer not found", { status: 404 });
    if (error instanceof AdjustmentError) {
      return json<ActionResult>({ ok: false, error: error.message, field: error.field }, { status: 400 });
    }
    throw error;
  }
}

export default function Member() {
  const { member, history, currency, storeCredit, timezone, locale, nonce, maxReasonLength } = useLoaderData<typeof loader>();
  const f = useMemo(() => adminFormat({ locale, currency, timeZone: timezone }), [locale, currency, timezone]);
  const subtitle = [member.email, `Shopify ID ${member.shopifyId}`].filter(Boolean).join(" · ");
  return (
    <Page
      backAction={{ content: "Customers", url: "/app/customers" }}
      title={member.name}
      subtitle={subtitle}
      titleMetadata={
        <InlineStack gap="100">
          {member.redacted && <Badge>Data erased</Badge>}
          {member.segment && <Badge tone="info">{SEGMENT_LABELS[member.segment]}</Badge>}
          {member.atRisk && <Badge tone="warning">At risk of lapsing</Badge>}
        </InlineStack>
      }
      primaryAction={
        member.redacted ? undefined : (
          <Button url={`shopify://admin/customers/${member.shopifyId}`} target="_top">
            View in Shopify
          </Button>
        )
      }
    >
      <TitleBar title={member.name} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <OrdersCard member={member} f={f} />
            <HistoryCard history={history} shopifyId={member.shopifyId} f={f} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <BalanceCard member={member} f={f} />
            <StoreCreditCard balances={storeCredit} currency={currency} locale={locale} />
            <TierHistoryCard member={member} f={f} />
            <AdjustCard member={member} nonce={nonce} maxReasonLength={maxReasonLength} f={f} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page backAction={{ content: "Customers", url: "/app/customers" }} title="Customer not found">
        <Card>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="h2" variant="headingMd">
              This customer isn’t in Regulars
            </Text>
            <Text as="p" tone="subdued">
              They may belong to another store, or their data was removed.
            </Text>
            <Button url="/app/customers">Back to customers</Button>
          </BlockStack>
        </Card>
      </Page>
    );
  }
  return adminErrorBoundary(error);
}
