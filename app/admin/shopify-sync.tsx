// The Status page's "Shopify sync" card: members whose metafields are waiting to be sent, those
// Shopify keeps refusing or failing, and a button that sends every member again.
import { Form } from "@remix-run/react";
import { BlockStack, Button, Card, InlineGrid, Text } from "@shopify/polaris";

export type ShopifySyncStatus = { pending: number; retrying: number; lastSyncedAt: string | null };

export function ShopifySyncCard({ sync, sending }: { sync: ShopifySyncStatus; sending: boolean }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Shopify sync
        </Text>
        <Text as="p" tone="subdued">
          Each member&apos;s points and tier are kept in customer metafields, for your theme, Shopify Flow and email tools.
        </Text>
        <InlineGrid columns={3} gap="400">
          <Figure name="metafields-pending" label="Members waiting to be sent" value={sync.pending} />
          <Figure name="metafields-retrying" label="Being retried" value={sync.retrying} />
          <Figure
            name="metafields-last"
            label="Last sent"
            value={sync.lastSyncedAt ? new Date(sync.lastSyncedAt).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—"}
          />
        </InlineGrid>
        <Form method="post">
          <input type="hidden" name="intent" value="resync" />
          <Button submit loading={sending}>
            Send every member again
          </Button>
        </Form>
      </BlockStack>
    </Card>
  );
}

function Figure({ name, label, value }: { name: string; label: string; value: string | number }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <div data-figure={name}>
        <Text as="p" variant="headingLg">
          {String(value)}
        </Text>
      </div>
    </BlockStack>
  );
}
