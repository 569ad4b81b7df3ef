// The Program page's bonuses: sign-up, first order, every Nth order and birthday, each off until
// the owner turns it on, with the suggested amount beside it.
import { BlockStack, Card, TextField } from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import { ordinal } from "../../loyalty/earning";
import type { FieldErrors } from "../../loyalty/form-input";
import { BonusField } from "./BonusField";
import type { SettingsForm } from "./form";

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
  return (
    <Card>
      <BlockStack gap="400">
        <BonusField
          label="Sign-up bonus"
          help="When a customer creates an account."
          enabled={form.signupBonusEnabled}
          onToggle={set("signupBonusEnabled")}
          value={form.signupBonusPoints}
          onChange={set("signupBonusPoints")}
          suggested={suggested.signupBonusPoints}
          error={errors.signupBonusPoints}
          name="signupBonusPoints"
          f={f}
        />
        <BonusField
          label="First-order bonus"
          help="Once per customer, on their first paid order."
          enabled={form.firstOrderBonusEnabled}
          onToggle={set("firstOrderBonusEnabled")}
          value={form.firstOrderBonusPoints}
          onChange={set("firstOrderBonusPoints")}
          suggested={suggested.firstOrderBonusPoints}
          error={errors.firstOrderBonusPoints}
          name="firstOrderBonusPoints"
          f={f}
        />
        <BonusField
          label="Every-few-orders bonus"
          help={`On every ${Number.isInteger(every) && every >= 2 ? ordinal(every) : "Nth"} paid order of a customer.`}
          enabled={form.nthOrderBonusEnabled}
          onToggle={set("nthOrderBonusEnabled")}
          value={form.nthOrderBonusPoints}
          onChange={set("nthOrderBonusPoints")}
          suggested={suggested.nthOrderBonusPoints}
          error={errors.nthOrderBonusPoints}
          name="nthOrderBonusPoints"
          f={f}
        />
        <TextField
          label="Every how many orders"
          type="number"
          min={2}
          autoComplete="off"
          suffix="orders"
          value={form.nthOrderBonusEvery}
          onChange={set("nthOrderBonusEvery")}
          disabled={!form.nthOrderBonusEnabled}
          error={errors.nthOrderBonusEvery}
          helpText={`Suggested: ${suggested.nthOrderBonusEvery}`}
          name="nthOrderBonusEvery"
        />
        <BonusField
          label="Birthday bonus"
          help="Once a year, on or after the birthday the customer gives in the rewards widget (29 February: on 28 February in other years)."
          enabled={form.birthdayBonusEnabled}
          onToggle={set("birthdayBonusEnabled")}
          value={form.birthdayBonusPoints}
          onChange={set("birthdayBonusPoints")}
          suggested={suggested.birthdayBonusPoints}
          error={errors.birthdayBonusPoints}
          name="birthdayBonusPoints"
          f={f}
        />
      </BlockStack>
    </Card>
  );
}
