// A chart in a card. Polaris Viz measures the DOM, so charts render only once hydrated; the
// server sends the card with a placeholder of the same height.
import { useEffect, useState, type ReactNode } from "react";
import { BlockStack, Card, SkeletonBodyText, Text } from "@shopify/polaris";

function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

export function ChartCard({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  const hydrated = useHydrated();
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {description}
          </Text>
        </BlockStack>
        {/* Fixed height: the server renders the same box, so nothing moves when the chart draws. */}
        <div style={{ height: 260 }}>{hydrated ? children : <SkeletonBodyText lines={8} />}</div>
      </BlockStack>
    </Card>
  );
}
