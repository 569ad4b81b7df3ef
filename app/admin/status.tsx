// The Status page's cards: each figure carries `data-figure` so a test (or a support engineer
// with the inspector) can read the number the card shows.
import type { ReactNode } from "react";
import { Badge, BlockStack, Card, InlineGrid, InlineStack, Link, Text } from "@shopify/polaris";
import type { ShopStatus } from "./status.server";

const number = new Intl.NumberFormat("en");

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

function Figure({ name, label, value, help }: { name: string; label: string; value: ReactNode; help?: ReactNode }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <div data-figure={name}>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </div>
      {help && (
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      )}
    </BlockStack>
  );
}

export function WebhookCard({ status }: { status: ShopStatus }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Orders and refunds from Shopify
          </Text>
          {status.dead > 0 ? (
            <Badge tone="critical">Needs attention</Badge>
          ) : status.backlog > 0 ? (
            <Badge tone="info">Catching up</Badge>
          ) : (
            <Badge tone="success">Up to date</Badge>
          )}
        </InlineStack>
        <InlineGrid columns={{ xs: 1, md: 4 }} gap="400">
          <Figure name="backlog" label="Waiting to be applied" value={number.format(status.backlog)} />
          <Figure
            name="lag"
            label="Oldest waiting for"
            value={status.lagSeconds === null ? "—" : duration(status.lagSeconds)}
            help="Usually under a second."
          />
          <Figure name="retrying" label="Failed once, retrying" value={number.format(status.retrying)} />
          <Figure
            name="dead"
            label="Failed events"
            value={number.format(status.dead)}
            help={<Link url="/app/failed-events">See failed events</Link>}
          />
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

export function ReconciliationCard({ run }: { run: ShopStatus["lastReconciliation"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Daily check with Shopify
        </Text>
        <Text as="p" tone="subdued">
          Once a day Regulars asks Shopify for every order changed in the last 48 hours and applies anything a lost or late
          notification missed. Nothing is ever applied twice.
        </Text>
        {run ? (
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            <Figure
              name="reconciled-at"
              label="Last run"
              value={when(run.startedAt)}
              help={run.error ? `Stopped early: ${run.error}` : run.finishedAt ? "Finished" : "Running"}
            />
            <Figure name="reconciled-checked" label="Orders checked" value={number.format(run.checked)} />
            <Figure name="reconciled-repaired" label="Orders repaired" value={number.format(run.repaired)} />
          </InlineGrid>
        ) : (
          <div data-figure="reconciled-at">
            <Text as="p">Not run yet.</Text>
          </div>
        )}
      </BlockStack>
    </Card>
  );
}

const BACKFILL_TEXT: Record<NonNullable<ShopStatus["backfill"]>["status"], string> = {
  pending: "Waiting to start",
  running: "Shopify is preparing the export",
  importing: "Importing",
  done: "Finished",
  failed: "Stopped with an error",
};

export function BackfillCard({ backfill }: { backfill: ShopStatus["backfill"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Order history import
        </Text>
        {backfill ? (
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            <Figure
              name="backfill-state"
              label="State"
              value={BACKFILL_TEXT[backfill.status]}
              help={backfill.lastError ?? undefined}
            />
            <Figure name="backfill-phase" label="Now importing" value={backfill.status === "done" ? "—" : backfill.phase} />
            <Figure
              name="backfill-rows"
              label="Rows imported"
              value={`${number.format(backfill.linesDone)}${backfill.linesTotal !== null ? ` of ${number.format(backfill.linesTotal)}` : ""}`}
              help={<Link url="/app/backfill">Order history</Link>}
            />
          </InlineGrid>
        ) : (
          <div data-figure="backfill-state">
            <Text as="p">No import was needed.</Text>
          </div>
        )}
      </BlockStack>
    </Card>
  );
}
