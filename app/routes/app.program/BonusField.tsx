// A bonus the owner turns on and sets in points, with the suggested amount beside it.
import { Checkbox, InlineGrid, TextField } from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";

export function BonusField(p: {
  label: string;
  help: string;
  enabled: boolean;
  onToggle: (v: boolean) => void;
  value: string;
  onChange: (v: string) => void;
  suggested: number;
  error?: string;
  name: string;
  f: AdminFormat;
}) {
  return (
    <InlineGrid columns={{ xs: 1, sm: ["twoThirds", "oneThird"] }} gap="300" alignItems="start">
      <Checkbox label={p.label} helpText={p.help} checked={p.enabled} onChange={p.onToggle} name={`${p.name}Enabled`} />
      <TextField
        label={`${p.label} points`}
        labelHidden
        type="number"
        min={1}
        autoComplete="off"
        value={p.value}
        onChange={p.onChange}
        disabled={!p.enabled}
        error={p.error}
        suffix="points"
        helpText={`Suggested: ${p.f.number(p.suggested)}`}
        name={p.name}
      />
    </InlineGrid>
  );
}
