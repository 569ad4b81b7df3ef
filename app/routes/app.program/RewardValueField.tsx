// What a reward is worth, by its kind: money off, a percentage, or store credit (free shipping has
// no value). One field for the Program page's reward form and the onboarding's starter rewards.
import { TextField } from "@shopify/polaris";
import type { RewardInput } from "../../loyalty/rewards.server";

type ValueField = "valueCents" | "percentOff";

export function RewardValueField(p: {
  kind: RewardInput["kind"];
  value: string;
  onChange: (value: string) => void;
  currencySymbol: string;
  /** Errors by field name, as the form's validation reports them. */
  error: (field: ValueField) => string | undefined;
  /** The form field's name (the onboarding numbers its rewards). */
  name: (field: ValueField) => string;
}) {
  if (p.kind === "free_shipping") return null;
  if (p.kind === "percent_off") {
    return (
      <TextField
        label="Percentage off"
        type="number"
        min={1}
        max={100}
        autoComplete="off"
        suffix="%"
        value={p.value}
        onChange={p.onChange}
        error={p.error("percentOff")}
        name={p.name("percentOff")}
      />
    );
  }
  const credit = p.kind === "store_credit";
  return (
    <TextField
      label={credit ? "Store credit" : "Amount off"}
      type="number"
      min={0}
      step={0.01}
      autoComplete="off"
      prefix={p.currencySymbol}
      value={p.value}
      onChange={p.onChange}
      error={p.error("valueCents")}
      helpText={credit ? "Added to the customer's store credit in Shopify, spendable at checkout." : undefined}
      name={p.name("valueCents")}
    />
  );
}
