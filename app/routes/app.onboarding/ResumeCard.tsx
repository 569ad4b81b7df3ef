// On the dashboard, for a shop that put the onboarding aside before finishing it: how far it got
// and the way back in.
import { BlockStack, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";

export function ResumeCard({ done, total }: { done: number; total: number }) {
  return (
    <div data-resume-onboarding>
      <Card>
        <InlineStack align="space-between" blockAlign="center" gap="400">
          <BlockStack gap="200">
            <Text as="h2" variant="headingSm">
              Finish setting up Regulars
            </Text>
            <Text as="p" tone="subdued">
              {done} of {total} setup steps done. Customers see the program once earning, rewards and the widget are in place.
            </Text>
            <div style={{ maxWidth: 240 }}>
              <ProgressBar progress={(100 * done) / total} size="small" tone="success" animated={false} />
            </div>
          </BlockStack>
          <Button url="/app/onboarding">Resume setup</Button>
        </InlineStack>
      </Card>
    </div>
  );
}
