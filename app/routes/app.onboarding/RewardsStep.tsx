// Step 2: what points buy. Three starter rewards scaled to the shop's rate, each editable before
// it is saved; saving creates them once (a second submit adds nothing). A shop that already has
// rewards sees them here instead, and manages them on the Program page.
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  InlineGrid,
  InlineStack,
  Text,
  TextField,
} from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import type { FieldErrors } from "../../loyalty/form-input";
import type { Reward, StarterReward } from "../../loyalty/rewards.server";
import { plain, typedCents } from "../app.program/form";
import { RewardValueField } from "../app.program/RewardValueField";
import type { ActionData, StarterForm } from "./form";

const KIND_LABEL = { amount_off: "Amount off", percent_off: "Percentage off", free_shipping: "Free shipping" } as const;

const toForm = (r: StarterReward): StarterForm => ({
  name: r.name,
  kind: r.kind,
  pointsCost: String(r.pointsCost),
  value: r.kind === "amount_off" ? plain(r.valueCents) : r.kind === "percent_off" ? String(r.percentOff) : "",
});

const toPayload = (r: StarterForm) => ({
  name: r.name,
  kind: r.kind,
  pointsCost: r.pointsCost,
  valueCents: r.kind === "amount_off" ? typedCents(r.value) : 0,
  percentOff: r.kind === "percent_off" ? r.value : 0,
  minimumSubtotalCents: null,
});

export function RewardsStep(p: {
  starters: StarterReward[];
  rewards: Reward[];
  f: AdminFormat;
  onSaved: () => void;
  onBack: () => void;
}) {
  const { f } = p;
  const [rows, setRows] = useState<StarterForm[]>(() => p.starters.map(toForm));
  const fetcher = useFetcher<ActionData>();
  const saving = fetcher.state !== "idle";
  const errors: FieldErrors = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.errors : {};
  const { onSaved } = p;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.intent === "save-rewards") onSaved();
  }, [fetcher.state, fetcher.data, onSaved]);
  const set = (i: number, key: keyof StarterForm) => (value: string) =>
    setRows((all) => all.map((r, k) => (k === i ? { ...r, [key]: value } : r)));
  const save = () =>
    fetcher.submit({ intent: "save-rewards", rewards: rows.map(toPayload) }, { method: "post", encType: "application/json" });
  const errorCount = Object.keys(errors).length;

  const heading = (
    <BlockStack gap="100">
      <Text as="h2" variant="headingMd">
        2. Rewards to spend points on
      </Text>
      <Text as="p" tone="subdued">
        A redeemed reward becomes a single-use discount code for that customer. Something reachable after two or three orders
        keeps customers coming back.
      </Text>
    </BlockStack>
  );

  if (p.starters.length === 0) {
    return (
      <Card>
        <BlockStack gap="400">
          {heading}
          {p.rewards.length === 0 ? (
            <Banner tone="warning" title="No active rewards">
              <p>Activate or add a reward on the Program page: customers need something to spend their points on.</p>
            </Banner>
          ) : (
            <BlockStack gap="200">
              <Text as="p">Your active rewards:</Text>
              {p.rewards.map((r) => (
                <InlineStack key={r.id} gap="200" blockAlign="center">
                  <Text as="span" fontWeight="semibold">
                    {r.name}
                  </Text>
                  <Text as="span" tone="subdued">
                    {f.points(r.pointsCost)}
                  </Text>
                </InlineStack>
              ))}
            </BlockStack>
          )}
          <InlineStack align="space-between">
            <Button onClick={p.onBack}>Back</Button>
            <InlineStack gap="200">
              <Button url="/app/program">Manage rewards</Button>
              <Button variant="primary" onClick={p.onSaved}>
                Continue
              </Button>
            </InlineStack>
          </InlineStack>
        </BlockStack>
      </Card>
    );
  }

  return (
    <Card>
      <BlockStack gap="400">
        {heading}
        {errorCount > 0 && (
          <Banner tone="critical" title="Fix the marked fields to add the rewards">
            <p>{errors.form ?? errors.rewards ?? "Nothing was saved."}</p>
          </Banner>
        )}
        {rows.map((r, i) => (
          <div key={i} data-starter={i}>
            <BlockStack gap="300">
              {i > 0 && <Divider />}
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  Reward {i + 1}
                </Text>
                <Badge>{KIND_LABEL[r.kind]}</Badge>
              </InlineStack>
              <InlineGrid columns={{ xs: 1, sm: r.kind === "free_shipping" ? 2 : 3 }} gap="300">
                <TextField
                  label="Name customers see"
                  autoComplete="off"
                  value={r.name}
                  onChange={set(i, "name")}
                  error={errors[`rewards.${i}.name`]}
                  name={`rewards.${i}.name`}
                />
                <TextField
                  label="Cost"
                  type="number"
                  min={1}
                  autoComplete="off"
                  value={r.pointsCost}
                  onChange={set(i, "pointsCost")}
                  suffix="points"
                  error={errors[`rewards.${i}.pointsCost`]}
                  name={`rewards.${i}.pointsCost`}
                />
                <RewardValueField
                  kind={r.kind}
                  value={r.value}
                  onChange={set(i, "value")}
                  currencySymbol={f.currencySymbol}
                  error={(field) => errors[`rewards.${i}.${field}`]}
                  name={(field) => `rewards.${i}.${field}`}
                />
              </InlineGrid>
            </BlockStack>
          </div>
        ))}
        <Box>
          <Text as="p" tone="subdued" variant="bodySm">
            Add more, set a minimum order or turn one off later on the Program page.
          </Text>
        </Box>
        <InlineStack align="space-between">
          <Button onClick={p.onBack}>Back</Button>
          <Button variant="primary" onClick={save} loading={saving}>
            Add these rewards and continue
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
