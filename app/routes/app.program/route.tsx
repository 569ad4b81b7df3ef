// Program: where the owner sets up how customers earn and spend points — earning rate, bonuses,
// VIP tiers, expiry, reward codes, the balance floor — and the rewards on offer. Validation and
// storage live in app/loyalty (settings.server.ts, rewards.server.ts); this route reads the request
// and answers; the form's pieces are the components beside it.
import { useEffect, useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { adminFormat } from "../../admin/format";
import { adminLocale } from "../../admin/request";
import { useToast } from "../../admin/toast";
import { db } from "../../db.server";
import { pointsForOrder } from "../../loyalty/earning";
import { InvalidInput, type FieldErrors } from "../../loyalty/form-input";
import type { Program } from "../../loyalty/program";
import { loadProgram } from "../../loyalty/program.server";
import {
  addSuggestedRewards,
  createReward,
  listRewards,
  removeReward,
  RewardNotFound,
  setRewardActive,
  suggestedRewards,
  updateReward,
  type Reward,
  type RewardInput,
} from "../../loyalty/rewards.server";
import { saveSettings, suggestedValues } from "../../loyalty/settings.server";
import { authenticate } from "../../shopify.server";
import { shopFacts } from "../../shops/facts.server";
import { Bonuses } from "./Bonuses";
import { Referrals } from "./Referrals";
import { sameForm, tierForm, toForm, toPayload, type ActionData, type SettingsForm } from "./form";
import { RewardList, StarterRewards } from "./rewards";
import { NumberSetting, type NumberKey } from "./NumberSetting";
import { TierEditor } from "./TierEditor";

export const meta: MetaFunction = () => [{ title: "Program · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const [settings, rewards, { currency }] = await Promise.all([loadProgram(db, shop), listRewards(shop), shopFacts(shop)]);
  return {
    settings,
    locale: adminLocale(new URL(request.url).searchParams),
    rewards,
    currency,
    suggested: suggestedValues(settings.pointsPerUnit),
    suggestedRewards: rewards.length === 0 ? suggestedRewards(settings.pointsPerUnit, currency) : [],
  };
}

const fail = (intent: string, errors: FieldErrors, status: number) => json<ActionData>({ ok: false, intent, errors }, { status });

/** The body as an object: JSON (what the page sends), or a form post (tiers as a JSON string). */
async function readBody(request: Request): Promise<Record<string, unknown> | null> {
  if ((request.headers.get("Content-Type") ?? "").includes("application/json")) {
    try {
      const body: unknown = await request.json();
      return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  const form = await request.formData();
  const body: Record<string, unknown> = {};
  for (const [key, value] of form) body[key] = typeof value === "string" ? value : null;
  if (typeof body.tiers === "string") {
    try {
      body.tiers = JSON.parse(body.tiers);
    } catch {
      // left as text: validation answers "Tiers must be a list"
    }
  }
  return { ...body, settings: body.settings ?? body, reward: body.reward ?? body };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const body = await readBody(request);
  if (!body) return fail("unknown", { form: "The request body must be a JSON object" }, 400);
  const intent = String(body.intent ?? "");
  try {
    switch (intent) {
      case "save-settings":
        await saveSettings(shop, body.settings);
        return json<ActionData>({ ok: true, intent, message: "Program saved" });
      case "add-suggested-rewards": {
        const added = await addSuggestedRewards(shop);
        return json<ActionData>({ ok: true, intent, message: added ? `Added ${added} rewards` : "You already have rewards" });
      }
      case "create-reward":
        await createReward(shop, body.reward);
        return json<ActionData>({ ok: true, intent, message: "Reward added" });
      case "update-reward":
        await updateReward(shop, body.id, body.reward);
        return json<ActionData>({ ok: true, intent, message: "Reward saved" });
      case "deactivate-reward":
        await setRewardActive(shop, body.id, false);
        return json<ActionData>({ ok: true, intent, message: "Reward deactivated" });
      case "activate-reward":
        await setRewardActive(shop, body.id, true);
        return json<ActionData>({ ok: true, intent, message: "Reward activated" });
      case "delete-reward": {
        const outcome = await removeReward(shop, body.id);
        return json<ActionData>({
          ok: true,
          intent,
          message:
            outcome === "deleted" ? "Reward deleted" : "This reward has been redeemed, so it was deactivated instead of deleted",
        });
      }
      default:
        return fail(intent, { form: `Unknown action "${intent}"` }, 400);
    }
  } catch (error) {
    if (error instanceof InvalidInput) return fail(intent, error.fieldErrors, 422);
    if (error instanceof RewardNotFound) return fail(intent, { form: "That reward no longer exists" }, 404);
    throw error;
  }
}

export default function Program() {
  const data = useLoaderData<typeof loader>();
  const f = adminFormat({ locale: data.locale, currency: data.currency });
  const exact = f.cents;
  const symbol = f.currencySymbol;
  // Keyed by content: a reward change reloads the page data too, and must not undo unsaved edits.
  const savedJson = JSON.stringify(data.settings);
  const saved = useMemo(() => toForm(JSON.parse(savedJson) as Program), [savedJson]);
  const [form, setForm] = useState<SettingsForm>(saved);
  const fetcher = useFetcher<ActionData>();
  const { banner, show: showToast, dismiss: dismissToast } = useToast();

  // After a save the loader runs again: the form shows what is stored (tiers sorted).
  useEffect(() => setForm(saved), [saved]);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.intent === "save-settings") showToast(fetcher.data.message);
  }, [fetcher.state, fetcher.data, showToast]);

  const saving = fetcher.state !== "idle";
  const errors: FieldErrors = fetcher.data && !fetcher.data.ok && fetcher.state === "idle" ? fetcher.data.errors : {};
  const dirty = !sameForm(form, saved);
  useEffect(() => {
    if (dirty) dismissToast();
  }, [dirty, dismissToast]);
  const set =
    <K extends keyof SettingsForm>(key: K) =>
    (value: SettingsForm[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const setNumber = (name: NumberKey, value: string) => setForm((f) => ({ ...f, [name]: value }));
  const save = () =>
    fetcher.submit({ intent: "save-settings", settings: toPayload(form) }, { method: "post", encType: "application/json" });

  const rate = Number(form.pointsPerUnit);
  const example =
    Number.isFinite(rate) && rate > 0
      ? pointsForOrder({ subtotalCents: 5000, test: false, customerShopifyId: "example" }, { pointsPerUnit: rate }, null)
      : null;
  const errorCount = Object.keys(errors).length;

  return (
    <Page
      title="Program"
      subtitle="How customers earn points, and what they spend them on"
      backAction={{ content: "Dashboard", url: "/app" }}
      primaryAction={{ content: "Save", onAction: save, disabled: !dirty || saving, loading: saving }}
      secondaryActions={dirty ? [{ content: "Discard", onAction: () => setForm(saved), disabled: saving }] : []}
    >
      <TitleBar title="Program" />
      <BlockStack gap="500">
        {banner && (
          <Banner tone="success" title={banner} onDismiss={dismissToast}>
            <p>New orders, refunds and redemptions follow these settings from now on. Points already earned are unchanged.</p>
          </Banner>
        )}
        {errorCount > 0 && (
          <Banner tone="critical" title={errorCount === 1 ? "Fix 1 field to save" : `Fix ${errorCount} fields to save`}>
            {errors.form ? <p>{errors.form}</p> : <p>Nothing was saved. The fields to change are marked below.</p>}
          </Banner>
        )}
        {data.rewards.length === 0 && <StarterRewards suggestions={data.suggestedRewards as RewardInput[]} f={f} />}

        <Layout>
          <Layout.AnnotatedSection
            id="earning"
            title="Earning"
            description="Customers earn on every paid order: the subtotal after discounts, without shipping, taxes or tips. Guests and test orders earn nothing."
          >
            <Card>
              <BlockStack gap="300">
                <NumberSetting
                  name="pointsPerUnit"
                  form={form}
                  onChange={setNumber}
                  errors={errors}
                  label={`Points per ${symbol}1 spent`}
                  suffix="points"
                  min={0}
                  step={0.1}
                />
                <Box background="bg-surface-secondary" padding="300" borderRadius="200">
                  <div data-example="earning">
                    <Text as="p">
                      {example === null ? (
                        "Enter a rate to see what an order earns."
                      ) : (
                        <>
                          An order of{" "}
                          <Text as="span" fontWeight="semibold">
                            {exact(5000)}
                          </Text>{" "}
                          earns{" "}
                          <Text as="span" fontWeight="semibold">
                            {f.points(example)}
                          </Text>
                          {form.tiersEnabled ? ", times the customer's tier multiplier." : "."}
                        </>
                      )}
                    </Text>
                  </div>
                </Box>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="bonuses"
            title="Bonuses"
            description="Extra points for joining, for a first order, for every few orders and on birthdays. Each is off until you turn it on; the suggested amounts are a good start. A cancelled or fully refunded order takes its order bonuses back."
          >
            <Bonuses form={form} set={set} errors={errors} suggested={data.suggested} f={f} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="referrals"
            title="Referrals"
            description="Blocked, with the reason shown under Referrals: a member referring themselves (same customer, email, phone or shipping address), a friend who has ordered before, loops and referrals past the monthly limit."
          >
            <Referrals form={form} set={set} errors={errors} suggested={data.suggested} f={f} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="tiers"
            title="VIP tiers"
            description="Customers who spend more earn faster. A customer's tier is the highest one their spend over the last 12 months reaches (subtotal after discounts, minus refunds); it is updated on each order, refund and cancellation and once a day, so a tier drops when old spend leaves the 12 months. Entering a tier can pay a one-time reward."
          >
            <Card>
              <BlockStack gap="400">
                <Checkbox
                  label="Reward top customers with VIP tiers"
                  checked={form.tiersEnabled}
                  onChange={set("tiersEnabled")}
                  name="tiersEnabled"
                />
                {form.tiersEnabled && (
                  <TierEditor
                    tiers={form.tiers}
                    onChange={set("tiers")}
                    errors={errors}
                    symbol={symbol}
                    suggested={data.suggested.tiers.map(tierForm)}
                    money={f.shortCents}
                  />
                )}
                {!form.tiersEnabled && form.tiers.length > 0 && (
                  <Text as="p" tone="subdued">
                    {form.tiers.length} saved {form.tiers.length === 1 ? "tier is" : "tiers are"} kept for when you turn tiers
                    back on.
                  </Text>
                )}
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="expiry"
            title="Expiry"
            description="Unused points can expire when a customer stops ordering, so your outstanding liability doesn't grow forever. Each expiry is recorded in the customer's history."
          >
            <Card>
              <BlockStack gap="300">
                <Checkbox
                  label="Points expire after a period without orders"
                  checked={form.expiryEnabled}
                  onChange={set("expiryEnabled")}
                  name="expiryEnabled"
                />
                <NumberSetting
                  name="expiryMonths"
                  form={form}
                  onChange={setNumber}
                  errors={errors}
                  label="Months without an order"
                  suffix="months"
                  min={1}
                  helpText={`Suggested: ${data.suggested.expiryMonths} months. Any order resets the clock.`}
                  disabled={!form.expiryEnabled}
                />
                <NumberSetting
                  name="expiryReminderDays"
                  form={form}
                  onChange={setNumber}
                  errors={errors}
                  label="Remind customers before points expire"
                  suffix="days before"
                  min={1}
                  helpText="The rewards widget and the customer's page show the points and the day they expire from then on."
                  disabled={!form.expiryEnabled}
                />
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="codes"
            title="Reward codes"
            description="A redeemed reward becomes a single-use discount code for that customer only."
          >
            <Card>
              <BlockStack gap="300">
                <NumberSetting
                  name="codeExpiryDays"
                  form={form}
                  onChange={setNumber}
                  errors={errors}
                  label="Codes expire after"
                  suffix="days"
                  min={1}
                />
                <Checkbox
                  label="Give the points back when a code expires unused"
                  checked={form.restorePointsOnExpiry}
                  onChange={set("restorePointsOnExpiry")}
                  name="restorePointsOnExpiry"
                />
                <BlockStack gap="100">
                  <Text as="p" fontWeight="medium">
                    Codes can be combined with
                  </Text>
                  <Checkbox
                    label="Order discounts"
                    checked={form.combinesWithOrder}
                    onChange={set("combinesWithOrder")}
                    name="combinesWithOrder"
                  />
                  <Checkbox
                    label="Product discounts"
                    checked={form.combinesWithProduct}
                    onChange={set("combinesWithProduct")}
                    name="combinesWithProduct"
                  />
                  <Checkbox
                    label="Shipping discounts"
                    checked={form.combinesWithShipping}
                    onChange={set("combinesWithShipping")}
                    name="combinesWithShipping"
                  />
                </BlockStack>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="floor"
            title="Balance floor"
            description="A refund takes back the points its order earned. If the customer already spent them, the points the balance can't cover are recorded as a shortfall."
          >
            <Card>
              <Checkbox
                label="Let refunds take a balance below zero"
                helpText="Off: a balance never goes below zero; the shortfall is recorded. On: the customer owes the points and earns them back with their next orders."
                checked={form.allowNegativeBalance}
                onChange={set("allowNegativeBalance")}
                name="allowNegativeBalance"
              />
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="reports"
            title="Reports"
            description="How the dashboard decides a customer is still active, for retention and churn."
          >
            <Card>
              <NumberSetting
                name="activeWindowDays"
                form={form}
                onChange={setNumber}
                errors={errors}
                label="A customer is active for"
                suffix="days after an order"
                min={30}
                helpText="365 days suits most stores; use less for things bought often, like coffee."
              />
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="rewards"
            title="Rewards"
            description="What customers spend points on. Each reward saves on its own; changes apply to the next redemption; codes already issued keep their value. A reward that has been redeemed can be deactivated, not deleted."
          >
            <RewardList rewards={data.rewards as Reward[]} f={f} />
          </Layout.AnnotatedSection>
        </Layout>

        <InlineStack align="end" gap="200">
          {dirty && (
            <Button onClick={() => setForm(saved)} disabled={saving}>
              Discard
            </Button>
          )}
          <Button variant="primary" onClick={save} disabled={!dirty || saving} loading={saving}>
            Save
          </Button>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
