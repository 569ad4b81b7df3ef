// Failed events: Shopify webhooks that were accepted but could not be applied after every retry.
// The owner (or their developer) sees what failed and why, fixes the cause, and retries.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Button, Card, EmptyState, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { deadEvents, replayDeadEvent } from "../webhooks/inbox.server";

export const meta: MetaFunction = () => [{ title: "Failed events · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  return deadEvents(session.shop);
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  const id = Number(form.get("id"));
  if (form.get("intent") !== "retry" || !Number.isSafeInteger(id)) {
    return Response.json({ ok: false, error: "send intent=retry and the event's id" }, { status: 400 });
  }
  const replayed = await replayDeadEvent(session.shop, id);
  return Response.json(
    { ok: replayed, error: replayed ? null : "This event is not waiting for a retry (already retried or processed)." },
    { status: replayed ? 200 : 404 },
  );
}

/** Shopify's topic names as the admin shows them: ORDERS_PAID → orders/paid. */
const topicName = (topic: string) => topic.toLowerCase().replace("_", "/");

function RetryButton({ id }: { id: number }) {
  const fetcher = useFetcher<{ ok: boolean; error: string | null }>();
  const done = fetcher.data?.ok;
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="retry" />
      <input type="hidden" name="id" value={id} />
      <Button submit size="slim" loading={fetcher.state !== "idle"} disabled={done}>
        {done ? "Retrying" : "Retry"}
      </Button>
    </fetcher.Form>
  );
}

export default function FailedEvents() {
  const { count, events } = useLoaderData<typeof loader>();
  const when = (value: string | Date | null) =>
    value ? new Date(value).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }) : "—";
  return (
    <Page title="Failed events" backAction={{ url: "/app" }}>
      <TitleBar title="Failed events" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {count > 0 && (
              <Banner tone="critical" title={`${count} event${count === 1 ? "" : "s"} from Shopify could not be applied`}>
                <p>
                  Each was retried for about a day and then set aside, so nothing else waits on it. The error says why. Once the
                  cause is fixed, retry it: it is applied exactly once, however many times you retry.
                </p>
              </Banner>
            )}
            {count === 0 ? (
              <Card>
                <EmptyState heading="No failed events" image="">
                  <p>Every order, refund and customer update Shopify sent has been applied.</p>
                </EmptyState>
              </Card>
            ) : (
              events.map((event) => (
                <Card key={event.id}>
                  <BlockStack gap="200">
                    <InlineStack align="space-between" blockAlign="center" gap="400">
                      <Text as="h2" variant="headingSm">
                        {topicName(event.topic)}
                      </Text>
                      <RetryButton id={event.id} />
                    </InlineStack>
                    <Box background="bg-surface-secondary" padding="200" borderRadius="200">
                      <Text as="p" breakWord>
                        <code>{event.lastError ?? "No error was recorded."}</code>
                      </Text>
                    </Box>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {event.attempts} attempts · first received {when(event.receivedAt)} · last attempt{" "}
                      {when(event.lastAttemptAt)} · event {event.eventId}
                    </Text>
                  </BlockStack>
                </Card>
              ))
            )}
            {count > events.length && (
              <Text as="p" tone="subdued">
                Showing the latest {events.length} of {count}.
              </Text>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
