// Order history import: progress of the backfill, and the owner's "credit past purchases" choice.
import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Modal, Page, ProgressBar, Text } from "@shopify/polaris";
import { adminFormat } from "../admin/format";
import { adminLocale } from "../admin/request";
import { requestCredit } from "../backfill/credit.server";
import { backfillProgress, isImporting, requestBackfill, restartBackfill, type BackfillProgress } from "../backfill/jobs.server";
import { shopFacts } from "../shops/facts.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Order history · Regulars" }];

const POLL_MS = 3000;

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  let progress = await backfillProgress(session.shop);
  if (!progress) {
    // Installed before imports existed: start one now.
    await requestBackfill(session.shop);
    progress = await backfillProgress(session.shop);
  }
  const { currency } = await shopFacts(session.shop);
  return {
    progress: progress!,
    importing: isImporting(progress!.status),
    locale: adminLocale(new URL(request.url).searchParams),
    currency,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const intent = (await request.formData()).get("intent");
  if (intent === "credit") {
    const accepted = await requestCredit(session.shop);
    return { ok: accepted, message: accepted ? null : "Past purchases can be credited once the import has finished." };
  }
  if (intent === "restart") {
    await restartBackfill(session.shop);
    return { ok: true, message: null };
  }
  return new Response(JSON.stringify({ error: `unknown intent ${String(intent)}` }), { status: 400 });
}

const STATUS_TEXT: Record<BackfillProgress["status"], string> = {
  pending: "Waiting to start",
  running: "Shopify is preparing your order history",
  importing: "Importing",
  done: "Finished",
  failed: "Stopped with an error",
};

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export default function OrderHistory() {
  const { progress, importing, locale, currency } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<{ ok: boolean; message: string | null }>();
  const revalidator = useRevalidator();
  const [confirming, setConfirming] = useState(false);
  const f = adminFormat({ locale, currency });

  const crediting = progress.credit.status === "requested" || progress.credit.status === "running";
  useEffect(() => {
    if (!importing && !crediting) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), POLL_MS);
    return () => clearInterval(timer);
  }, [importing, crediting, revalidator]);

  const what = progress.phase === "orders" ? "orders" : "customers";
  const rows =
    progress.status === "importing" && progress.linesTotal
      ? `${f.number(progress.linesDone)} of ${f.number(progress.linesTotal)} ${what}`
      : progress.status === "running" && progress.linesTotal
        ? `${f.number(progress.linesTotal)} ${what} gathered so far`
        : null;

  return (
    <Page title="Order history" backAction={{ content: "Dashboard", url: "/app" }}>
      <TitleBar title="Order history" />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  {progress.status === "done" ? "Your store's past orders are imported" : "Importing your store's past orders"}
                </Text>
                <Text as="p" tone="subdued">
                  Regulars reads your order history once, so repeat rate, cohorts and customer value cover your whole history, not
                  only orders from today. Past orders earn no points unless you choose to credit them.
                </Text>
              </BlockStack>
              <ProgressBar
                animated={false}
                progress={Math.round(progress.fraction * 100)}
                tone={progress.status === "failed" ? "critical" : "highlight"}
              />
              <InlineStack gap="400" wrap>
                <Text as="span" fontWeight="semibold">
                  {STATUS_TEXT[progress.status]}
                  {importing ? ` — ${what}` : ""}
                </Text>
                {rows && <Text as="span">{rows}</Text>}
                {progress.ratePerSecond !== null && (
                  <Text as="span" tone="subdued">
                    {f.number(Math.round(progress.ratePerSecond))} per second
                  </Text>
                )}
                {progress.etaSeconds !== null && (
                  <Text as="span" tone="subdued">
                    about {duration(progress.etaSeconds)} left
                  </Text>
                )}
                {progress.status === "done" && progress.finishedAt && (
                  <Text as="span" tone="subdued">
                    {new Date(progress.finishedAt).toLocaleString("en")}
                  </Text>
                )}
              </InlineStack>
              {progress.lastError && (
                <Banner
                  tone={progress.status === "failed" ? "critical" : "warning"}
                  title={progress.status === "failed" ? "The import stopped" : "Retrying"}
                >
                  <p>{progress.lastError}</p>
                </Banner>
              )}
              {(progress.status === "failed" || progress.status === "done") && (
                <fetcher.Form method="post">
                  <input type="hidden" name="intent" value="restart" />
                  <Button submit loading={fetcher.state !== "idle" && fetcher.formData?.get("intent") === "restart"}>
                    {progress.status === "failed" ? "Try again" : "Import again"}
                  </Button>
                </fetcher.Form>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Credit past purchases
              </Text>
              <Text as="p" tone="subdued">
                Give customers the points their past paid orders would have earned under your current program. Each order is
                credited at most once — orders that already earned points are skipped — and refunds take back their share, as they
                do for new orders.
              </Text>
              {progress.credit.status === "done" && (
                <Banner tone="success">
                  <p>
                    Credited {f.number(progress.credit.orders)} orders with {f.number(progress.credit.points)} points.
                  </p>
                </Banner>
              )}
              {crediting && (
                <Text as="p">
                  Crediting… {f.number(progress.credit.orders)} orders, {f.number(progress.credit.points)} points so far
                </Text>
              )}
              {fetcher.data?.message && (
                <Banner tone="warning">
                  <p>{fetcher.data.message}</p>
                </Banner>
              )}
              <InlineStack>
                <Button variant="primary" disabled={progress.status !== "done" || crediting} onClick={() => setConfirming(true)}>
                  Credit past purchases
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Credit past purchases?"
        primaryAction={{
          content: "Credit points",
          onAction: () => {
            setConfirming(false);
            fetcher.submit({ intent: "credit" }, { method: "post" });
          },
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">
            Customers receive points for every past paid order that has not earned any yet. Points appear in their history as
            “Past purchase” and count towards your outstanding points liability. This cannot be undone in bulk.
          </Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
