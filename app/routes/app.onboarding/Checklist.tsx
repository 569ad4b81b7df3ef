// The onboarding checklist: one line per step, ticked from what is stored (settings saved,
// an active reward, the widget seen on in the live theme), not from which buttons were pressed.
import { BlockStack, Box, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { Checklist as Ticks } from "../../onboarding/onboarding.server";
import { STEPS, type StepKey } from "./form";

const LABELS: Record<StepKey, { title: string; done: string; todo: string }> = {
  earning: {
    title: "How customers earn",
    done: "Earning rate and sign-up bonus saved",
    todo: "Choose the rate and a sign-up bonus",
  },
  rewards: { title: "Rewards to spend points on", done: "At least one reward is active", todo: "Add the starter rewards" },
  embed: { title: "Rewards widget on your theme", done: "The widget is on in your live theme", todo: "Turn on the app embed" },
};

/** A button that looks like the line it is: the whole line opens the step. */
const PLAIN = {
  display: "block",
  width: "100%",
  padding: 0,
  border: 0,
  background: "none",
  font: "inherit",
  color: "inherit",
  textAlign: "left",
  cursor: "pointer",
} as const;

function Tick({ done }: { done: boolean }) {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" style={{ flex: "none" }}>
      <circle
        cx="10"
        cy="10"
        r="9"
        fill={done ? "var(--p-color-bg-fill-success)" : "none"}
        stroke={done ? "var(--p-color-bg-fill-success)" : "var(--p-color-border)"}
        strokeWidth="1.5"
        strokeDasharray={done ? undefined : "3 2"}
      />
      {done && <path d="M6 10.5l2.5 2.5L14 7.5" fill="none" stroke="white" strokeWidth="2" strokeLinecap="round" />}
    </svg>
  );
}

export function Checklist(p: { checklist: Ticks; done: number; current: StepKey; onOpen: (step: StepKey) => void }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Setup checklist
        </Text>
        <ProgressBar progress={(100 * p.done) / STEPS.length} size="small" tone="success" animated={false} />
        <Text as="p" tone="subdued" variant="bodySm">
          {p.done} of {STEPS.length} done
        </Text>
        <BlockStack gap="100">
          {STEPS.map((step, i) => {
            const done = p.checklist[step];
            const current = step === p.current;
            return (
              <div key={step} data-check={step} data-done={done ? "true" : "false"}>
                <button type="button" onClick={() => p.onOpen(step)} aria-current={current ? "step" : undefined} style={PLAIN}>
                  <Box padding="200" borderRadius="200" background={current ? "bg-surface-selected" : undefined}>
                    <InlineStack gap="300" wrap={false} blockAlign="start">
                      <Tick done={done} />
                      <BlockStack gap="050">
                        <Text as="span" fontWeight={current ? "semibold" : "regular"}>
                          {i + 1}. {LABELS[step].title}
                        </Text>
                        <Text as="span" variant="bodySm" tone={done ? "success" : "subdued"}>
                          {done ? LABELS[step].done : LABELS[step].todo}
                        </Text>
                      </BlockStack>
                    </InlineStack>
                  </Box>
                </button>
              </div>
            );
          })}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
