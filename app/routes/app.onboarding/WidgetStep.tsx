// Step 3: the rewards widget on the storefront. The theme editor opens with the app embed switched
// on (Shopify's deep link); the owner saves the theme there. The check reads the live theme through
// Shopify and ticks the checklist once the embed is on — when the step opens and on "Check again".
import { useEffect, useRef } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, List, Text } from "@shopify/polaris";
import type { ActionData } from "./form";

const STATE_TEXT = {
  on: { badge: "On", tone: "success", text: "The rewards widget is on in your live theme. Customers see it on every page." },
  off: {
    badge: "Off",
    tone: "attention",
    text: "The Regulars embed is in your theme but switched off. Open the theme editor, switch it on and save.",
  },
  absent: { badge: "Not on yet", tone: "attention", text: "Your live theme does not have the rewards widget yet." },
  unknown: { badge: "Couldn't check", tone: undefined, text: "" },
} as const;

export function WidgetStep(p: { on: boolean; checkedAt: string | null; editorUrl: string; onBack: () => void }) {
  const fetcher = useFetcher<ActionData>();
  const check = fetcher.submit;
  const checkedOnOpen = useRef(false);
  useEffect(() => {
    if (checkedOnOpen.current) return;
    checkedOnOpen.current = true;
    check({ intent: "check-embed" }, { method: "post", encType: "application/json" });
  }, [check]);
  const checking = fetcher.state !== "idle";
  const answer = fetcher.data?.ok ? fetcher.data.embed : undefined;
  const state = answer?.state ?? (p.on ? "on" : p.checkedAt ? "absent" : null);
  const shown = state ? STATE_TEXT[state] : null;

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            3. The rewards widget on your store
          </Text>
          <Text as="p" tone="subdued">
            The widget is how customers see their points, sign up and redeem rewards. It is an app embed: it adds itself to every
            page of your theme once you switch it on.
          </Text>
        </BlockStack>
        <List type="number">
          <List.Item>Open the theme editor: it shows App embeds with Regulars rewards switched on.</List.Item>
          <List.Item>Click Save in the theme editor.</List.Item>
          <List.Item>Come back here and check: the checklist ticks itself.</List.Item>
        </List>
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <div data-embed-state={checking ? "checking" : (state ?? "unchecked")}>
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              {checking ? (
                <Badge>Checking…</Badge>
              ) : shown ? (
                <Badge tone={shown.tone}>{shown.badge}</Badge>
              ) : (
                <Badge>Not checked</Badge>
              )}
              <Text as="p">
                {checking
                  ? "Asking Shopify about your live theme…"
                  : answer?.state === "unknown"
                    ? answer.reason
                    : shown
                      ? shown.text
                      : "Not checked yet."}
              </Text>
            </InlineStack>
          </div>
        </Box>
        {answer && answer.state !== "unknown" && answer.themeName && (
          <Text as="p" tone="subdued" variant="bodySm">
            Live theme: {answer.themeName}
          </Text>
        )}
        {state === "on" || (
          <Banner tone="info">
            <p>
              No online store theme, or a headless storefront? Choose “Do this later”: points and rewards work without the widget.
            </p>
          </Banner>
        )}
        <InlineStack align="space-between">
          <Button onClick={p.onBack}>Back</Button>
          <InlineStack gap="200">
            <Button
              onClick={() => check({ intent: "check-embed" }, { method: "post", encType: "application/json" })}
              loading={checking}
            >
              Check again
            </Button>
            <Button variant={state === "on" ? undefined : "primary"} url={p.editorUrl} target="_top" external={false}>
              Open the theme editor
            </Button>
          </InlineStack>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
