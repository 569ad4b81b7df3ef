// One number the owner types on the Program page: a Polaris number field bound to its form key,
// with the server's error for that key shown under it.
import { TextField } from "@shopify/polaris";
import type { FieldErrors } from "../../loyalty/form-input";
import type { SettingsForm } from "./form";

/** The settings the form keeps as typed text (numbers), by key. */
export type NumberKey = { [K in keyof SettingsForm]: SettingsForm[K] extends string ? K : never }[keyof SettingsForm];

export function NumberSetting(p: {
  name: NumberKey;
  /** The settings typed so far: the Program page's whole form, or the few fields another page asks for. */
  form: Partial<Pick<SettingsForm, NumberKey>>;
  onChange: (name: NumberKey, value: string) => void;
  errors: FieldErrors;
  label: string;
  suffix: string;
  min: number;
  step?: number;
  helpText?: string;
  disabled?: boolean;
}) {
  return (
    <TextField
      label={p.label}
      type="number"
      min={p.min}
      step={p.step}
      autoComplete="off"
      value={p.form[p.name] ?? ""}
      onChange={(value) => p.onChange(p.name, value)}
      disabled={p.disabled}
      error={p.errors[p.name]}
      suffix={p.suffix}
      helpText={p.helpText}
      name={p.name}
    />
  );
}
