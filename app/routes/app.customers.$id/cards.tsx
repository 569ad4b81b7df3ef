// The customer profile's cards: orders with the points each earned or lost, the points history,
// the balance checked against the ledger, and the "Adjust points" form.
import { useEffect, useState } from "react";
import type { SerializeFrom } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  Divider,
  FormLayout,
  InlineStack,
  Pagination,
  Text,
  TextField,
  Tooltip,
} from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import { useCsvExport, useCursorPaging } from "../../admin/lists";
import type { HistoryPage, MemberDetail } from "../../loyalty/customer-profile.server";

export type ActionResult =
  | { ok: true; applied: boolean; delta: number; balance: number }
  | { ok: false; error: string; field: "delta" | "reason" | "nonce" | null };

type Format = AdminFormat;

const KIND_LABELS: Record<string, string> = {
  earn: "Earned",
  redeem: "Redeemed",
  refund: "Refund",
  cancel: "Cancellation",
  expire: "Expired",
  adjust: "Adjustment",
  bonus: "Bonus",
  referral: "Referral",
};

/** The profile's data as the page receives it (JSON: dates as strings). */
type Data = { member: SerializeFrom<MemberDetail>; history: SerializeFrom<HistoryPage> };

function orderStatus(order: Data["member"]["orders"]["shown"][number]) {
  if (order.test) return <Badge>Test</Badge>;
  if (order.cancelledAt) return <Badge tone="critical">Cancelled</Badge>;
  if (order.refundedSubtotalCents >= order.subtotalCents && order.subtotalCents > 0)
    return <Badge tone="warning">Refunded</Badge>;
  if (order.refundedSubtotalCents > 0) return <Badge tone="attention">Partly refunded</Badge>;
  return <Badge tone="success">Paid</Badge>;
}

export function OrdersCard({ member, f }: { member: Data["member"]; f: Format }) {
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
                <span
                  title={
                    o.shortfall
                      ? `${f.number(o.shortfall)} more could not be taken: the balance would have gone below zero`
                      : undefined
                  }
                >
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

export function HistoryCard({ history, shopifyId, f }: { history: Data["history"]; shopifyId: string; f: Format }) {
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
                    {[
                      e.actor ? `By ${e.actor}` : null,
                      e.shortfall > 0 ? `${f.number(e.shortfall)} not taken (balance floor)` : null,
                    ]
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

export function BalanceCard({ member, f }: { member: Data["member"]; f: Format }) {
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
        {member.expiring && (
          <div data-expiring>
            <Banner tone="warning">
              <p>
                {f.points(member.expiring.points)} expire on {f.calendarDay(member.expiring.on)} unless the customer orders before
                then.
              </p>
            </Banner>
          </div>
        )}
        <Divider />
        <BlockStack gap="100">
          <Fact label="Tier" value={member.tier ?? "—"} />
          <Fact
            label="Birthday"
            value={member.birthday ? f.monthDay(member.birthday) : "—"}
            hint="Month and day the customer gave in the rewards widget, or Shopify's birth date. Pays the birthday bonus once a year."
          />
          <Fact
            label="Orders counted"
            value={f.number(member.stats.orders)}
            hint="Orders that count toward retention and spend: test and cancelled orders left out."
          />
          <Fact
            label="Spent"
            value={f.cents(member.stats.spentCents)}
            hint="Subtotal after discounts minus refunds of the counted orders."
          />
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

/** `maxReasonLength` comes from the loader: the rule lives in a server module the browser never gets. */
export function AdjustCard({
  member,
  nonce,
  maxReasonLength,
  f,
}: {
  member: Data["member"];
  nonce: string;
  maxReasonLength: number;
  f: Format;
}) {
  const result = useActionData<ActionResult>();
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
              maxLength={maxReasonLength}
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

const MOVED_BY: Record<string, string> = {
  order: "Order",
  refund: "Refund",
  cancel: "Cancellation",
  daily: "12-month window moved on",
  import: "History import",
};

/** Every tier move, newest first: what the tier was, what it became, what moved it, any entry reward. */
export function TierHistoryCard({ member, f }: { member: Data["member"]; f: Format }) {
  if (member.tierChanges.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Tier history
        </Text>
        <div data-tier-history>
          <BlockStack gap="150">
            {member.tierChanges.map((c, i) => (
              <InlineStack key={i} align="space-between" gap="200" wrap={false}>
                <BlockStack gap="050">
                  <Text as="span" fontWeight="medium">
                    {c.from ?? "No tier"} → {c.to ?? "No tier"}
                  </Text>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {MOVED_BY[c.reason] ?? c.reason} · {f.date(c.at)}
                  </Text>
                </BlockStack>
                {c.entryPoints > 0 && <Badge tone="success">{`+${f.points(c.entryPoints)}`}</Badge>}
              </InlineStack>
            ))}
          </BlockStack>
        </div>
      </BlockStack>
    </Card>
  );
}
