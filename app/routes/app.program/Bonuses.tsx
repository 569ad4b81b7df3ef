// The Program page's bonuses: sign-up, first order, every Nth order and birthday, each off until
// the owner turns it on, with the suggested amount beside it.
import { BlockStack, Card } from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import { ordinal } from "../../loyalty/earning";
import type { FieldErrors } from "../../loyalty/form-input";
import { BonusField } from "./BonusField";
import type { SettingsForm } from "./form";
import { NumberSetting } from "./NumberSetting";

type BonusKey = "signupBonus" | "firstOrderBonus" | "nthOrderBonus" | "birthdayBonus";

type Suggested = {
  signupBonusPoints: number;
  firstOrderBonusPoints: number;
  nthOrderBonusEvery: number;
  nthOrderBonusPoints: number;
  birthdayBonusPoints: number;
};

export function Bonuses({
  form,
  set,
  errors,
  suggested,
  f,
}: {
  form: SettingsForm;
  set: <K extends keyof SettingsForm>(key: K) => (value: SettingsForm[K]) => void;
  errors: FieldErrors;
  suggested: Suggested;
  f: AdminFormat;
}) {
  const every = Number(form.nthOrderBonusEvery);
  // Each bonus is a pair of settings, `<bonus>Enabled` and `<bonus>Points`: one field shows both.
  const bonus = (key: BonusKey, label: string, help: string) => (
    <BonusField
      label={label}
      help={help}
      enabled={form[`${key}Enabled`]}
      onToggle={set(`${key}Enabled`)}
      value={form[`${key}Points`]}
      onChange={set(`${key}Points`)}
      suggested={suggested[`${key}Points`]}
      error={errors[`${key}Points`]}
      name={`${key}Points`}
      f={f}
    />
  );
  return (
    <Card>
      <BlockStack gap="400">
        {bonus("signupBonus", "Sign-up bonus", "When a customer creates an account.")}
        {bonus("firstOrderBonus", "First-order bonus", "Once per customer, on their first paid order.")}
        {bonus(
          "nthOrderBonus",
          "Every-few-orders bonus",
          `On every ${Number.isInteger(every) && every >= 2 ? ordinal(every) : "Nth"} paid order of a customer.`,
        )}
        <NumberSetting
          name="nthOrderBonusEvery"
          form={form}
          onChange={(name, value) => set(name)(value)}
          errors={errors}
          label="Every how many orders"
          suffix="orders"
          min={2}
          helpText={`Suggested: ${suggested.nthOrderBonusEvery}`}
          disabled={!form.nthOrderBonusEnabled}
        />
        {bonus(
          "birthdayBonus",
          "Birthday bonus",
          "Once a year, on or after the birthday the customer gives in the rewards widget (29 February: on 28 February in other years).",
        )}
      </BlockStack>
    </Card>
  );
}
