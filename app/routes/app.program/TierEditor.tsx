// VIP tiers: name, the 12-month spend that reaches each, its earning multiplier, the points paid on
// entering it and its perks in words; a suggested
// ladder for a first setup. Checks across rows (order, duplicates) come back from the server.
import { BlockStack, Box, Button, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import type { FieldErrors } from "../../loyalty/form-input";
import { nextKey, plain, typedCents, type TierForm } from "./form";

const TIER_COLUMNS: ("twoThirds" | "oneThird")[] = ["twoThirds", "twoThirds", "oneThird", "oneThird"];

export function TierEditor(p: {
  tiers: TierForm[];
  onChange: (t: TierForm[]) => void;
  errors: FieldErrors;
  symbol: string;
  suggested: TierForm[];
  money: (cents: number) => string;
}) {
  const update = (key: number, patch: Partial<TierForm>) =>
    p.onChange(p.tiers.map((t) => (t.key === key ? { ...t, ...patch } : t)));
  const add = () => {
    const last = p.tiers.at(-1);
    const lastSpend = last ? typedCents(last.minSpend) : 0;
    const spend = typeof lastSpend === "number" ? plain(lastSpend === 0 ? 30_000 : lastSpend * 2) : "";
    p.onChange([
      ...p.tiers,
      { key: nextKey(), name: "", minSpend: spend, multiplier: last?.multiplier ?? "1", entryReward: "0", perks: "" },
    ]);
  };
  return (
    <BlockStack gap="300">
      {p.errors.tiers && (
        <Text as="p" tone="critical">
          {p.errors.tiers}
        </Text>
      )}
      {p.tiers.length === 0 ? (
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <BlockStack gap="200">
            <Text as="p">
              A common start:{" "}
              {p.suggested.map((t) => `${t.name} from ${p.money(Number(typedCents(t.minSpend)))} (×${t.multiplier})`).join(", ")}.
            </Text>
            <InlineStack gap="200">
              <Button onClick={() => p.onChange(p.suggested)}>Use suggested tiers</Button>
              <Button variant="plain" onClick={add}>
                Start from scratch
              </Button>
            </InlineStack>
          </BlockStack>
        </Box>
      ) : (
        <>
          <InlineGrid columns={TIER_COLUMNS} gap="200">
            <Text as="span" fontWeight="medium">
              Tier name
            </Text>
            <Text as="span" fontWeight="medium">
              12-month spend from
            </Text>
            <Text as="span" fontWeight="medium">
              Multiplier
            </Text>
          </InlineGrid>
          {p.tiers.map((t, i) => (
            <InlineGrid key={t.key} columns={TIER_COLUMNS} gap="200" alignItems="start">
              <TextField
                label={`Tier ${i + 1} name`}
                labelHidden
                autoComplete="off"
                value={t.name}
                placeholder="Gold"
                onChange={(name) => update(t.key, { name })}
                error={p.errors[`tiers.${i}.name`]}
                name={`tiers.${i}.name`}
              />
              <TextField
                label={`Tier ${i + 1} 12-month spend from`}
                labelHidden
                autoComplete="off"
                type="number"
                min={0}
                prefix={p.symbol}
                value={t.minSpend}
                onChange={(minSpend) => update(t.key, { minSpend })}
                error={p.errors[`tiers.${i}.minSpendCents`]}
                name={`tiers.${i}.minSpend`}
              />
              <TextField
                label={`Tier ${i + 1} multiplier`}
                labelHidden
                autoComplete="off"
                type="number"
                min={1}
                step={0.05}
                suffix="×"
                value={t.multiplier}
                onChange={(multiplier) => update(t.key, { multiplier })}
                error={p.errors[`tiers.${i}.multiplier`]}
                name={`tiers.${i}.multiplier`}
              />
              <Button
                variant="tertiary"
                tone="critical"
                onClick={() => p.onChange(p.tiers.filter((x) => x.key !== t.key))}
                accessibilityLabel={`Remove tier ${t.name || i + 1}`}
              >
                Remove
              </Button>
              <TextField
                label={`Tier ${i + 1} entry reward`}
                autoComplete="off"
                type="number"
                min={0}
                suffix="points"
                value={t.entryReward}
                onChange={(entryReward) => update(t.key, { entryReward })}
                error={p.errors[`tiers.${i}.entryRewardPoints`]}
                name={`tiers.${i}.entryRewardPoints`}
              />
              <TextField
                label={`Tier ${i + 1} perks`}
                autoComplete="off"
                maxLength={200}
                placeholder="Optional, e.g. early access to sales"
                value={t.perks}
                onChange={(perks) => update(t.key, { perks })}
                error={p.errors[`tiers.${i}.perks`]}
                name={`tiers.${i}.perks`}
              />
            </InlineGrid>
          ))}
          <InlineStack>
            <Button onClick={add} disabled={p.tiers.length >= 20}>
              Add tier
            </Button>
          </InlineStack>
          <Text as="p" tone="subdued" variant="bodySm">
            Below the lowest threshold customers earn the base rate (×1). Tiers are saved in order of spend. The entry reward is
            paid once when a customer reaches the tier (0 for none; not again for the same tier within a year); perks are shown to
            customers.
          </Text>
        </>
      )}
    </BlockStack>
  );
}
