// Status: is Regulars keeping up with the shop? The webhook backlog and its lag, failures, the
// daily check with Shopify and the history import. Refreshes itself while something is waiting.
import { useEffect } from "react";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { BackfillCard, ReconciliationCard, WebhookCard } from "../admin/status";
import { shopStatus } from "../admin/status.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Status · Regulars" }];

const POLL_MS = 10_000;

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return shopStatus(session.shop);
}

export default function Status() {
  const status = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const busy = status.backlog > 0 || status.backfill?.status === "importing" || status.backfill?.status === "running";
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), POLL_MS);
    return () => clearInterval(timer);
  }, [busy, revalidator]);
  return (
    <Page title="Status" backAction={{ url: "/app" }}>
      <TitleBar title="Status" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <WebhookCard status={status} />
            <ReconciliationCard run={status.lastReconciliation} />
            <BackfillCard backfill={status.backfill} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
