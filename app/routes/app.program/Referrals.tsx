// The Program page's referrals: each member's code and link, the friend's first paid order
// rewarding both sides, the monthly limit per member and the return window.
import { BlockStack, Card, InlineGrid } from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import type { FieldErrors } from "../../loyalty/form-input";
import { BonusField } from "./BonusField";
import type { SettingsForm } from "./form";
import { NumberSetting } from "./NumberSetting";

export function Referrals({
  form,
  set,
  errors,
  suggested,
  f,
}: {
  form: SettingsForm;
  set: <K extends keyof SettingsForm>(key: K) => (value: SettingsForm[K]) => void;
  errors: FieldErrors;
  suggested: { referralBonusPoints: number; referralWelcomePoints: number };
  f: AdminFormat;
}) {
  const off = !form.referralBonusEnabled;
  const number = (
    name: Parameters<typeof NumberSetting>[0]["name"],
    label: string,
    suffix: string,
    min: number,
    helpText: string,
  ) => (
    <NumberSetting
      name={name}
      form={form}
      onChange={(key, value) => set(key)(value)}
      errors={errors}
      label={label}
      suffix={suffix}
      min={min}
      helpText={helpText}
      disabled={off}
    />
  );
  return (
    <Card>
      <BlockStack gap="400">
        <BonusField
          label="Referrals"
          help="Members share their link from the rewards widget. A friend's first paid order through it pays the member these points."
          enabled={form.referralBonusEnabled}
          onToggle={set("referralBonusEnabled")}
          value={form.referralBonusPoints}
          onChange={set("referralBonusPoints")}
          suggested={suggested.referralBonusPoints}
          error={errors.referralBonusPoints}
          name="referralBonusPoints"
          f={f}
        />
        {number(
          "referralWelcomePoints",
          "The friend's welcome reward",
          "points",
          0,
          `Paid to the friend with that first order (0 for none). Suggested: ${f.number(suggested.referralWelcomePoints)}`,
        )}
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
          {number(
            "referralMonthlyCap",
            "Referrals rewarded per member each month",
            "referrals",
            1,
            "Beyond it, a referral is recorded but not rewarded.",
          )}
          {number(
            "referralReturnWindowDays",
            "Return window",
            "days",
            0,
            "A referral order cancelled or refunded in full this soon takes both rewards back.",
          )}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
