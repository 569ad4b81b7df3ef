// Step 1: how customers earn. The rate (1 point per unit of currency out of the box) and a sign-up
// bonus, proposed on at the suggested amount; the same fields as the Program page, checked by the
// same server rules, so a wrong value shows under its field and nothing is saved.
import { useEffect, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { AdminFormat } from "../../admin/format";
import { pointsForOrder } from "../../loyalty/earning";
import type { FieldErrors } from "../../loyalty/form-input";
import { BonusField } from "../app.program/BonusField";
import { NumberSetting } from "../app.program/NumberSetting";
import type { ActionData, EarningForm } from "./form";

type Proposal = {
  pointsPerUnit: number;
  signupBonusEnabled: boolean;
  signupBonusPoints: number;
  suggestedSignupBonusPoints: number;
};

export function EarningStep({ proposal, f, onSaved }: { proposal: Proposal; f: AdminFormat; onSaved: () => void }) {
  const [form, setForm] = useState<EarningForm>(() => ({
    pointsPerUnit: String(proposal.pointsPerUnit),
    signupBonusEnabled: proposal.signupBonusEnabled,
    signupBonusPoints: String(proposal.signupBonusPoints),
  }));
  const fetcher = useFetcher<ActionData>();
  const saving = fetcher.state !== "idle";
  const errors: FieldErrors = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.errors : {};
  useEffect(() => {
    // Saved: on to the next step (which unmounts this one, so this runs once per save).
    if (fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.intent === "save-earning") onSaved();
  }, [fetcher.state, fetcher.data, onSaved]);

  const rate = Number(form.pointsPerUnit);
  const example =
    Number.isFinite(rate) && rate > 0
      ? pointsForOrder({ subtotalCents: 5000, test: false, customerShopifyId: "example" }, { pointsPerUnit: rate }, null)
      : null;
  const save = () => fetcher.submit({ intent: "save-earning", earning: form }, { method: "post", encType: "application/json" });
  const errorCount = Object.keys(errors).length;

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            1. How customers earn
          </Text>
          <Text as="p" tone="subdued">
            Customers earn on every paid order: the subtotal after discounts, without shipping, taxes or tips. Guests and test
            orders earn nothing.
          </Text>
        </BlockStack>
        {errorCount > 0 && (
          <Banner tone="critical" title={errorCount === 1 ? "Fix 1 field to save" : `Fix ${errorCount} fields to save`}>
            <p>{errors.form ?? "Nothing was saved. The fields to change are marked below."}</p>
          </Banner>
        )}
        <NumberSetting
          name="pointsPerUnit"
          form={form}
          onChange={(_, value) => setForm((s) => ({ ...s, pointsPerUnit: value }))}
          errors={errors}
          label={`Points per ${f.currencySymbol}1 spent`}
          suffix="points"
          min={0}
          step={0.1}
          helpText="1 point per unit of your currency is where most stores start."
        />
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <div data-example="earning">
            <Text as="p">
              {example === null
                ? "Enter a rate to see what an order earns."
                : `An order of ${f.cents(5000)} earns ${f.points(example)}.`}
            </Text>
          </div>
        </Box>
        <BonusField
          label="Sign-up bonus"
          help="Points when a customer creates an account: a reason to sign up before the first order."
          enabled={form.signupBonusEnabled}
          onToggle={(on) => setForm((s) => ({ ...s, signupBonusEnabled: on }))}
          value={form.signupBonusPoints}
          onChange={(value) => setForm((s) => ({ ...s, signupBonusPoints: value }))}
          suggested={proposal.suggestedSignupBonusPoints}
          error={errors.signupBonusPoints}
          name="signupBonusPoints"
          f={f}
        />
        <Text as="p" tone="subdued" variant="bodySm">
          First-order, every-few-orders and birthday bonuses, VIP tiers and expiry are off; turn them on any time on the Program
          page.
        </Text>
        <InlineStack align="end">
          <Button variant="primary" onClick={save} loading={saving}>
            Save and continue
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
