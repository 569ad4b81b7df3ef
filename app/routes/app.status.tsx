// Status: is Regulars keeping up with the shop? The webhook backlog and its lag, failures, the
// daily check with Shopify and the history import. Refreshes itself while something is waiting.
import { useEffect } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { BackfillCard, ReconciliationCard, WebhookCard } from "../admin/status";
import { shopStatus } from "../admin/status.server";
import { ShopifySyncCard } from "../admin/shopify-sync";
import { memberSyncStatus, resyncShop } from "../loyalty/member-sync.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Status · Regulars" }];

const POLL_MS = 10_000;

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const [status, sync] = await Promise.all([shopStatus(session.shop), memberSyncStatus(session.shop)]);
  return { ...status, sync: { ...sync, lastSyncedAt: sync.lastSyncedAt?.toISOString() ?? null } };
}

/** "Send every member again": every member's metafields are written anew (ADR 0032). */
export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const intent = (await request.formData()).get("intent");
  if (intent !== "resync") return new Response(JSON.stringify({ error: `unknown intent ${String(intent)}` }), { status: 400 });
  return { ok: true, members: await resyncShop(session.shop) };
}

export default function Status() {
  const status = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const busy =
    status.sync.pending > 0 ||
    status.backlog > 0 ||
    status.backfill?.status === "importing" ||
    status.backfill?.status === "running";
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
            <ShopifySyncCard sync={status.sync} sending={navigation.state === "submitting"} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
