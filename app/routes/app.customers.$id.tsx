// A member: who they are, their balance (checked against the ledger), tier and segment, the
// orders we hold with the points each earned or lost, the full points history, and the owner's
// "Adjust points" form (a ledger row of kind `adjust`, once per form nonce, never below zero unless
// the program allows it). `:id` is the Shopify customer id; another shop's customer is a 404.
import { useEffect, useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge, Banner, BlockStack, Button, Card, DataTable, Divider, FormLayout, InlineStack, Layout, Page,
  Pagination, Text, TextField, Tooltip,
} from "@shopify/polaris";
import { SEGMENT_LABELS } from "../analytics/rfm";
import { AdjustmentError, adjustPoints, MAX_REASON_LENGTH, MemberNotFound, parseAdjustment, staffActor } from "../loyalty/adjustments.server";
import { memberDetail, pointsHistory } from "../loyalty/customer-profile.server";
import { shopFacts } from "../shops/facts.server";
import { adminFormat, type AdminFormat } from "../admin/format";
import { adminLocale, cursorOf } from "../admin/request";
import { adminErrorBoundary } from "../admin/boundary";
import { useCsvExport, useCursorPaging } from "../admin/lists";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.member.name ?? "Customer"} · Regulars` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const search = new URL(request.url).searchParams;
  const member = await memberDetail(session.shop, params.id ?? "");
  if (!member) throw new Response("Customer not found", { status: 404 });
  const [history, shop] = await Promise.all([
    pointsHistory(session.shop, member.id, {
      after: cursorOf(search.get("historyAfter")),
      before: cursorOf(search.get("historyBefore")),
    }),
    shopFacts(session.shop),
  ]);
  return {
    member,
    history,
    currency: shop.currency,
    timezone: shop.timezone,
    locale: adminLocale(search),
    // A fresh nonce with every render of the form: posting the same form twice adjusts once.
    nonce: crypto.randomUUID(),
  };
}

type ActionResult =
  | { ok: true; applied: boolean; delta: number; balance: number }
  | { ok: false; error: string; field: "delta" | "reason" | "nonce" | null };

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "adjust") return json<ActionResult>({ ok: false, error: "Unknown action", field: null }, { status: 400 });
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

type Format = AdminFormat;

const KIND_LABELS: Record<string, string> = {
  earn: "Earned",
  redeem: "Redeemed",
  refund: "Refund",
  cancel: "Cancellation",
  expire: "Expired",
  adjust: "Adjustment",
  bonus: "Bonus",
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function orderStatus(order: Data["member"]["orders"]["shown"][number]) {
  if (order.test) return <Badge>Test</Badge>;
  if (order.cancelledAt) return <Badge tone="critical">Cancelled</Badge>;
  if (order.refundedSubtotalCents >= order.subtotalCents && order.subtotalCents > 0) return <Badge tone="warning">Refunded</Badge>;
  if (order.refundedSubtotalCents > 0) return <Badge tone="attention">Partly refunded</Badge>;
  return <Badge tone="success">Paid</Badge>;
}

function OrdersCard({ member, f }: { member: Data["member"]; f: Format }) {
  const { total, shown } = member.orders;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Orders
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {total > shown.length ? `Latest ${f.number(shown.length)} of ${f.number(total)}` : `${f.number(total)} in Regulars`}
          </Text>
        </InlineStack>
        {shown.length === 0 ? (
          <Text as="p" tone="subdued">
            No orders from this customer yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "text", "numeric", "numeric"]}
            headings={["Order", "Date", "Subtotal", "Refunded", "Status", "Earned", "Taken back"]}
            hideScrollIndicator
            rows={shown.map((o) => [
              o.name,
              f.date(o.processedAt),
              f.cents(o.subtotalCents, o.currency),
              o.refundedSubtotalCents ? f.cents(o.refundedSubtotalCents, o.currency) : "—",
              orderStatus(o),
              o.pointsEarned ? f.signed(o.pointsEarned) : "—",
              o.pointsTakenBack || o.shortfall ? (
                <span title={o.shortfall ? `${f.number(o.shortfall)} more could not be taken: the balance would have gone below zero` : undefined}>
                  {f.signed(o.pointsTakenBack)}
                  {o.shortfall ? ` (${f.number(o.shortfall)} short)` : ""}
                </span>
              ) : (
                "—"
              ),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

function HistoryCard({ history, shopifyId, f }: { history: Data["history"]; shopifyId: string; f: Format }) {
  const csv = useCsvExport();
  const pageTo = useCursorPaging("historyAfter", "historyBefore");
  const onExport = () => csv.run(`/app/customers/${shopifyId}/history.csv`, `points-history-${shopifyId}.csv`);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Points history
          </Text>
          <Button onClick={onExport} loading={csv.exporting} disabled={history.entries.length === 0} size="slim">
            Export CSV
          </Button>
        </InlineStack>
        {csv.error && (
          <Text as="p" tone="critical">
            {csv.error}
          </Text>
        )}
        {history.entries.length === 0 ? (
          <Text as="p" tone="subdued">
            No points yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric"]}
            headings={["Date", "Activity", "Details", "Points", "Balance"]}
            rows={history.entries.map((e) => [
              <span key={`t${e.id}`} suppressHydrationWarning>
                {f.dateTime(e.createdAt)}
              </span>,
              KIND_LABELS[e.kind] ?? e.kind,
              <BlockStack gap="050" key={e.id}>
                <Text as="span">{e.reason}</Text>
                {(e.actor || e.shortfall > 0) && (
                  <Text as="span" variant="bodySm" tone="subdued">
                    {[e.actor ? `By ${e.actor}` : null, e.shortfall > 0 ? `${f.number(e.shortfall)} not taken (balance floor)` : null]
                      .filter(Boolean)
                      .join(" · ")}
                  </Text>
                )}
              </BlockStack>,
              <Text as="span" key={`d${e.id}`} tone={e.delta < 0 ? "critical" : "success"} numeric>
                {f.signed(e.delta)}
              </Text>,
              f.number(e.balanceAfter),
            ])}
          />
        )}
        {(history.previousCursor !== null || history.nextCursor !== null) && (
          <InlineStack align="center">
            <Pagination
              hasPrevious={history.previousCursor !== null}
              previousTooltip="Newer"
              onPrevious={() => history.previousCursor !== null && pageTo("historyBefore", history.previousCursor)}
              hasNext={history.nextCursor !== null}
              nextTooltip="Older"
              onNext={() => history.nextCursor !== null && pageTo("historyAfter", history.nextCursor)}
            />
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}

function BalanceCard({ member, f }: { member: Data["member"]; f: Format }) {
  const { balance } = member;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Points
        </Text>
        <InlineStack gap="200" blockAlign="center">
          <Text as="p" variant="heading2xl">
            <span data-balance>{f.number(balance.cached)}</span>
          </Text>
          {balance.consistent ? (
            <Tooltip content="The cached balance equals the sum of every row in the points history.">
              <Badge tone="success">Matches ledger</Badge>
            </Tooltip>
          ) : (
            <Badge tone="critical">Ledger mismatch</Badge>
          )}
        </InlineStack>
        {!balance.consistent && (
          <Banner tone="critical" title="The balance does not match the points history">
            <p>
              Cached balance {f.number(balance.cached)}, sum of the history {f.number(balance.ledger)}. Please contact support
              before adjusting this customer’s points.
            </p>
          </Banner>
        )}
        <Divider />
        <BlockStack gap="100">
          <Fact label="Tier" value={member.tier ?? "—"} />
          <Fact label="Orders counted" value={f.number(member.stats.orders)} hint="Orders that count toward retention and spend: test and cancelled orders left out." />
          <Fact label="Spent" value={f.cents(member.stats.spentCents)} hint="Subtotal after discounts minus refunds of the counted orders." />
          <Fact
            label="Chance still buying"
            value={member.probabilityAlive === null ? "—" : f.percent(member.probabilityAlive, 0)}
            hint="From the BG/NBD model fitted on your order history: the probability this customer has not lapsed. Shown once they have ordered twice and there are enough repeat customers to fit the model."
          />
          <Fact label="Member since" value={f.date(member.enrolledAt ?? member.createdAt)} />
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

function Fact({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const name = (
    <Text as="span" tone="subdued">
      {label}
    </Text>
  );
  return (
    <InlineStack align="space-between" gap="200">
      {hint ? (
        <Tooltip content={hint}>
          <span style={{ borderBottom: "1px dotted var(--p-color-border-emphasis)", cursor: "help" }}>{name}</span>
        </Tooltip>
      ) : (
        name
      )}
      <Text as="span" fontWeight="medium">
        {value}
      </Text>
    </InlineStack>
  );
}

function AdjustCard({ member, nonce, f }: { member: Data["member"]; nonce: string; f: Format }) {
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" && navigation.formData?.get("intent") === "adjust";
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (result?.ok) {
      setDelta("");
      setReason("");
    }
  }, [result]);
  const fieldError = (field: "delta" | "reason") => (result && !result.ok && result.field === field ? result.error : undefined);

  if (member.redacted) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Adjust points
          </Text>
          <Text as="p" tone="subdued">
            This customer’s personal data was erased at their request; their points can no longer be adjusted.
          </Text>
        </BlockStack>
      </Card>
    );
  }
  return (
    <Card>
      <Form method="post" data-adjust-form>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Adjust points
          </Text>
          {result?.ok && (
            <Banner tone={result.applied ? "success" : "info"}>
              <p data-adjust-result>
                {result.applied
                  ? `${result.delta > 0 ? "Added" : "Removed"} ${f.number(Math.abs(result.delta))} points. New balance: ${f.number(result.balance)}.`
                  : "That adjustment was already recorded; nothing was added twice."}
              </p>
            </Banner>
          )}
          {result && !result.ok && !result.field && (
            <Banner tone="critical">
              <p data-adjust-error>{result.error}</p>
            </Banner>
          )}
          {result && !result.ok && result.field === "nonce" && (
            <Banner tone="warning">
              <p data-adjust-error>{result.error}</p>
            </Banner>
          )}
          <FormLayout>
            <TextField
              label="Points"
              name="delta"
              type="number"
              step={1}
              value={delta}
              onChange={setDelta}
              autoComplete="off"
              helpText={
                member.allowNegativeBalance
                  ? "Positive adds points, negative removes them."
                  : `Positive adds points, negative removes them (at most ${f.number(Math.max(0, member.balance.cached))}).`
              }
              error={fieldError("delta")}
              requiredIndicator
            />
            <TextField
              label="Reason"
              name="reason"
              value={reason}
              onChange={setReason}
              autoComplete="off"
              multiline={2}
              maxLength={MAX_REASON_LENGTH}
              helpText="Shown to the customer in their points history. Your name is kept with the adjustment."
              error={fieldError("reason")}
              requiredIndicator
            />
          </FormLayout>
          <input type="hidden" name="nonce" value={nonce} />
          <input type="hidden" name="intent" value="adjust" />
          <InlineStack align="end">
            <Button submit variant="primary" loading={submitting} disabled={!delta.trim() || !reason.trim()}>
              Adjust points
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

export default function Member() {
  const { member, history, currency, timezone, locale, nonce } = useLoaderData<typeof loader>();
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
            <AdjustCard member={member} nonce={nonce} f={f} />
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
