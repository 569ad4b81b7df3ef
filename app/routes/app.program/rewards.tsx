// The Program page's rewards: the starter set for a shop with none, the list with edit /
// deactivate / delete, and the editor. Each reward saves on its own (its own fetcher).
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Divider,
  InlineGrid,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import type { FieldErrors } from "../../loyalty/form-input";
import type { Reward, RewardInput, RewardKind } from "../../loyalty/rewards.server";
import { plain, typedCents, type ActionData } from "./form";
import { RewardValueField } from "./RewardValueField";

function rewardValue(r: Pick<RewardInput, "kind" | "valueCents" | "percentOff">, money: (c: number) => string) {
  switch (r.kind) {
    case "amount_off":
      return `${money(r.valueCents)} off`;
    case "percent_off":
      return `${r.percentOff}% off`;
    case "store_credit":
      return `${money(r.valueCents)} store credit`;
    default:
      return "Free shipping";
  }
}

export function StarterRewards({ suggestions, f }: { suggestions: RewardInput[]; f: AdminFormat }) {
  const money = f.shortCents;
  const fetcher = useFetcher<ActionData>();
  return (
    <Banner
      tone="info"
      title="Give customers something to save up for"
      action={{
        content: "Add suggested rewards",
        loading: fetcher.state !== "idle",
        onAction: () => fetcher.submit({ intent: "add-suggested-rewards" }, { method: "post", encType: "application/json" }),
      }}
    >
      <p>
        You have no rewards yet. A starter set that works for most stores:{" "}
        {suggestions.map((r) => `${rewardValue(r, money)} for ${f.points(r.pointsCost)}`).join(", ")}. You can change them any
        time.
      </p>
    </Banner>
  );
}

type RewardForm = {
  name: string;
  kind: RewardKind;
  pointsCost: string;
  value: string;
  minimumSubtotal: string;
  creditExpiryDays: string;
};

const KIND_OPTIONS = [
  { label: "Amount off", value: "amount_off" },
  { label: "Percentage off", value: "percent_off" },
  { label: "Free shipping", value: "free_shipping" },
  { label: "Store credit", value: "store_credit" },
];

/** Kinds whose value is money (the amount off, or the credit). */
const moneyValue = (kind: RewardKind) => kind === "amount_off" || kind === "store_credit";

export function RewardList({ rewards, f }: { rewards: Reward[]; f: AdminFormat }) {
  const [editing, setEditing] = useState<number | "new" | null>(null);
  return (
    <Card padding="0">
      <Box padding="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingSm">
            {rewards.length === 0 ? "No rewards yet" : `${rewards.filter((r) => r.active).length} active of ${rewards.length}`}
          </Text>
          <Button onClick={() => setEditing("new")} disabled={editing === "new"}>
            Add reward
          </Button>
        </InlineStack>
      </Box>
      {editing === "new" && (
        <>
          <Divider />
          <RewardEditor reward={null} f={f} onDone={() => setEditing(null)} />
        </>
      )}
      {rewards.map((r) => (
        <div key={r.id} data-reward={r.id}>
          <Divider />
          {editing === r.id ? (
            <RewardEditor reward={r} f={f} onDone={() => setEditing(null)} />
          ) : (
            <RewardRow reward={r} f={f} onEdit={() => setEditing(r.id)} />
          )}
        </div>
      ))}
    </Card>
  );
}

function RewardRow({ reward: r, f, onEdit }: { reward: Reward; f: AdminFormat; onEdit: () => void }) {
  const money = f.shortCents;
  const fetcher = useFetcher<ActionData>();
  const act = (intent: string) => fetcher.submit({ intent, id: r.id }, { method: "post", encType: "application/json" });
  const busy = fetcher.state !== "idle";
  const failed = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? Object.values(fetcher.data.errors)[0] : null;
  return (
    <Box padding="400">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingSm">
                {r.name}
              </Text>
              {!r.active && <Badge>Inactive</Badge>}
            </InlineStack>
            <Text as="p" tone="subdued">
              {rewardValue(r, money) === r.name ? "" : `${rewardValue(r, money)} · `}
              {f.points(r.pointsCost)}
              {r.minimumSubtotalCents ? ` · orders over ${money(r.minimumSubtotalCents)}` : ""}
              {r.kind === "store_credit" && r.creditExpiryDays
                ? ` · expires ${f.number(r.creditExpiryDays)} days after it is issued`
                : ""}
              {r.redemptions ? ` · redeemed ${f.number(r.redemptions)}×` : ""}
            </Text>
          </BlockStack>
          <ButtonGroup>
            <Button onClick={onEdit} disabled={busy}>
              Edit
            </Button>
            {r.active ? (
              <Button onClick={() => act("deactivate-reward")} loading={busy}>
                Deactivate
              </Button>
            ) : (
              <Button onClick={() => act("activate-reward")} loading={busy}>
                Activate
              </Button>
            )}
            {r.redemptions === 0 && (
              <Button tone="critical" variant="tertiary" onClick={() => act("delete-reward")} disabled={busy}>
                Delete
              </Button>
            )}
          </ButtonGroup>
        </InlineStack>
        {failed && (
          <Text as="p" tone="critical">
            {failed}
          </Text>
        )}
      </BlockStack>
    </Box>
  );
}

function RewardEditor({ reward, f, onDone }: { reward: Reward | null; f: AdminFormat; onDone: () => void }) {
  const money = f.shortCents;
  const symbol = f.currencySymbol;
  const fetcher = useFetcher<ActionData>();
  const [form, setForm] = useState<RewardForm>(() => ({
    name: reward?.name ?? "",
    kind: reward?.kind ?? "amount_off",
    pointsCost: reward ? String(reward.pointsCost) : "",
    value: reward
      ? moneyValue(reward.kind)
        ? plain(reward.valueCents)
        : reward.kind === "percent_off"
          ? String(reward.percentOff)
          : ""
      : "",
    minimumSubtotal: reward?.minimumSubtotalCents ? plain(reward.minimumSubtotalCents) : "",
    creditExpiryDays: reward?.creditExpiryDays ? String(reward.creditExpiryDays) : "",
  }));
  const set =
    <K extends keyof RewardForm>(key: K) =>
    (value: RewardForm[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const errors: FieldErrors = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.errors : {};
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) onDone();
  }, [fetcher.state, fetcher.data, onDone]);

  const submit = () =>
    fetcher.submit(
      {
        intent: reward ? "update-reward" : "create-reward",
        id: reward?.id ?? null,
        reward: {
          name: form.name,
          kind: form.kind,
          pointsCost: form.pointsCost,
          valueCents: moneyValue(form.kind) ? typedCents(form.value) : 0,
          percentOff: form.kind === "percent_off" ? form.value : 0,
          minimumSubtotalCents:
            form.kind === "store_credit" || form.minimumSubtotal.trim() === "" ? null : typedCents(form.minimumSubtotal),
          creditExpiryDays: form.kind === "store_credit" ? form.creditExpiryDays : null,
        },
      },
      { method: "post", encType: "application/json" },
    );

  const preview = moneyValue(form.kind) ? typedCents(form.value) : null;
  return (
    <Box padding="400" background="bg-surface-secondary">
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          {reward ? `Edit ${reward.name}` : "New reward"}
        </Text>
        {errors.form && (
          <Text as="p" tone="critical">
            {errors.form}
          </Text>
        )}
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
          <TextField
            label="Name customers see"
            autoComplete="off"
            value={form.name}
            onChange={set("name")}
            error={errors.name}
            placeholder={
              moneyValue(form.kind) && typeof preview === "number" && preview > 0
                ? rewardValue({ kind: form.kind, valueCents: preview, percentOff: 0 }, money)
                : "10% off"
            }
            name="name"
          />
          <Select
            label="Type"
            options={KIND_OPTIONS}
            value={form.kind}
            onChange={(v) => set("kind")(v as RewardKind)}
            error={errors.kind}
            name="kind"
          />
          <TextField
            label="Cost"
            type="number"
            min={1}
            autoComplete="off"
            value={form.pointsCost}
            onChange={set("pointsCost")}
            suffix="points"
            error={errors.pointsCost}
            name="pointsCost"
          />
          <RewardValueField
            kind={form.kind}
            value={form.value}
            onChange={set("value")}
            currencySymbol={symbol}
            error={(field) => errors[field]}
            name={(field) => field}
          />
          {form.kind === "store_credit" && (
            <TextField
              label="Credit expires after (optional)"
              type="number"
              min={1}
              autoComplete="off"
              suffix="days"
              value={form.creditExpiryDays}
              onChange={set("creditExpiryDays")}
              error={errors.creditExpiryDays}
              helpText="Leave empty for credit that does not expire."
              name="creditExpiryDays"
            />
          )}
          {form.kind !== "store_credit" && (
            <TextField
              label="Minimum order subtotal (optional)"
              type="number"
              min={0}
              step={0.01}
              autoComplete="off"
              prefix={symbol}
              value={form.minimumSubtotal}
              onChange={set("minimumSubtotal")}
              error={errors.minimumSubtotalCents}
              name="minimumSubtotalCents"
            />
          )}
        </InlineGrid>
        <InlineStack gap="200" align="end">
          <Button onClick={onDone} disabled={fetcher.state !== "idle"}>
            Cancel
          </Button>
          <Button variant="primary" onClick={submit} loading={fetcher.state !== "idle"}>
            {reward ? "Save reward" : "Add reward"}
          </Button>
        </InlineStack>
      </BlockStack>
    </Box>
  );
}
