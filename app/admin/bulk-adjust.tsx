// The customer list's "Adjust points" card: one amount and reason for every customer the list
// currently shows (its search, segment and tab ride along as hidden fields).
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";

export type BulkAdjustAnswer =
  | {
      ok: true;
      matched: number;
      adjusted: number;
      alreadyDone: number;
      skippedRedacted: number;
      skippedNoPoints: number;
      partial: number;
      shortfall: number;
    }
  | { ok: false; error: string; field: "delta" | "reason" | "nonce" | null };

export function BulkAdjustCard({
  filter,
  total,
  describing,
  nonce,
  maxReasonLength,
  number,
}: {
  filter: { q: string; segment: string | null; atRisk: boolean };
  total: number;
  describing: string;
  nonce: string;
  maxReasonLength: number;
  number: (n: number) => string;
}) {
  const fetcher = useFetcher<BulkAdjustAnswer>();
  const [open, setOpen] = useState(false);
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  const answer = fetcher.data;
  const busy = fetcher.state !== "idle";
  // A finished batch: clear the fields; the loader hands a new nonce for the next one.
  useEffect(() => {
    if (answer?.ok && fetcher.state === "idle") {
      setDelta("");
      setReason("");
    }
  }, [answer, fetcher.state]);

  if (!open) {
    return (
      <InlineStack align="end">
        <Button onClick={() => setOpen(true)} disabled={total === 0}>
          Adjust points in bulk
        </Button>
      </InlineStack>
    );
  }
  const error = answer && !answer.ok ? answer : null;
  return (
    <Card>
      <fetcher.Form method="post" data-bulk-adjust>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Adjust points for {number(total)} {total === 1 ? "customer" : "customers"}
            {describing ? ` ${describing}` : ""}
          </Text>
          <input type="hidden" name="intent" value="bulk-adjust" />
          <input type="hidden" name="nonce" value={nonce} />
          <input type="hidden" name="q" value={filter.q} />
          <input type="hidden" name="segment" value={filter.segment ?? ""} />
          <input type="hidden" name="atRisk" value={filter.atRisk ? "1" : ""} />
          <InlineStack gap="300" wrap={false} blockAlign="start">
            <TextField
              label="Points"
              name="delta"
              value={delta}
              onChange={setDelta}
              autoComplete="off"
              helpText="Negative to remove. Nobody goes below zero: they give what they have."
              error={error?.field === "delta" ? error.error : undefined}
            />
            <TextField
              label="Reason"
              name="reason"
              value={reason}
              onChange={setReason}
              autoComplete="off"
              maxLength={maxReasonLength}
              helpText="Customers see it in their points history."
              error={error?.field === "reason" ? error.error : undefined}
            />
          </InlineStack>
          {error && error.field !== "delta" && error.field !== "reason" && <Banner tone="critical">{error.error}</Banner>}
          {answer?.ok && (
            <Banner
              tone="success"
              title={`Adjusted ${number(answer.adjusted)} ${answer.adjusted === 1 ? "customer" : "customers"}`}
            >
              <p data-bulk-result>{summary(answer, number)}</p>
            </Banner>
          )}
          <InlineStack gap="200" align="end">
            <Button onClick={() => setOpen(false)}>Close</Button>
            <Button variant="primary" submit loading={busy}>
              Apply to {number(total)} {total === 1 ? "customer" : "customers"}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

function summary(a: Extract<BulkAdjustAnswer, { ok: true }>, number: (n: number) => string): string {
  const parts = [`${number(a.matched)} matched`];
  if (a.alreadyDone) parts.push(`${number(a.alreadyDone)} already adjusted by this batch`);
  if (a.skippedNoPoints) parts.push(`${number(a.skippedNoPoints)} skipped: no points to remove`);
  if (a.skippedRedacted) parts.push(`${number(a.skippedRedacted)} skipped: data erased at their request`);
  if (a.partial) parts.push(`${number(a.partial)} had fewer points and gave what they had (${number(a.shortfall)} points short)`);
  return `${parts.join("; ")}.`;
}
