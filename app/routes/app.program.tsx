// Program: where the owner sets up how customers earn and spend points — earning rate, bonuses,
// VIP tiers, expiry, reward codes, the balance floor — and the rewards on offer. Validation and
// storage live in app/loyalty/settings.server.ts; this route only reads the request and answers.
import { useCallback, useEffect, useMemo, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import {
  Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, Checkbox, Divider, InlineGrid, InlineStack, Layout,
  Page, Select, Text, TextField,
} from "@shopify/polaris";
import { db } from "../db.server";
import { pointsForOrder } from "../loyalty/earning";
import {
  addSuggestedRewards, createReward, InvalidInput, listRewards, loadSettings, removeReward, RewardNotFound, saveSettings,
  setRewardActive, suggestedRewards, suggestedValues, updateReward, type FieldErrors, type Reward, type RewardKind,
  type Settings,
} from "../loyalty/settings.server";
import { authenticate } from "../shopify.server";

export const meta: MetaFunction = () => [{ title: "Program · Regulars" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const [settings, rewards, shopRow] = await Promise.all([
    loadSettings(shop),
    listRewards(shop),
    db.shop.findUnique({ where: { domain: shop }, select: { currency: true } }),
  ]);
  const currency = shopRow?.currency ?? "USD";
  return {
    settings,
    rewards,
    currency,
    suggested: suggestedValues(settings.pointsPerUnit),
    suggestedRewards: rewards.length === 0 ? suggestedRewards(settings.pointsPerUnit, currency) : [],
  };
}

type ActionData =
  | { ok: true; intent: string; message: string }
  | { ok: false; intent: string; errors: FieldErrors };

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
          ok: true, intent,
          message: outcome === "deleted" ? "Reward deleted" : "This reward has been redeemed, so it was deactivated instead of deleted",
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

// ---- form state: what the owner types, as text ----------------------------------------------------

type TierForm = { key: number; name: string; minSpend: string; multiplier: string };
type SettingsForm = {
  [K in keyof Omit<Settings, "tiers">]: Settings[K] extends boolean ? boolean : string;
} & { tiers: TierForm[] };

let nextKey = 1;
const plain = (cents: number) => (cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2));

function toForm(s: Settings): SettingsForm {
  const form = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(s)) if (key !== "tiers") form[key] = typeof value === "boolean" ? value : String(value);
  form.tiers = s.tiers.map((t) => ({ key: nextKey++, name: t.name, minSpend: plain(t.minSpendCents), multiplier: String(t.multiplier) }));
  return form as SettingsForm;
}

/** "1,250.5" → 125050 cents; anything else goes to the server as typed, which names the problem. */
function toCents(text: string): number | string {
  const t = text.replace(/[,\s]/g, "");
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : text;
}

function toPayload(form: SettingsForm) {
  const { tiers, ...rest } = form;
  return { ...rest, tiers: tiers.map((t) => ({ name: t.name, minSpendCents: toCents(t.minSpend), multiplier: t.multiplier })) };
}

const sameForm = (a: SettingsForm, b: SettingsForm) => JSON.stringify(toPayload(a)) === JSON.stringify(toPayload(b));

function moneyFormat(currency: string) {
  let f: Intl.NumberFormat;
  try {
    f = new Intl.NumberFormat("en", { style: "currency", currency });
  } catch {
    f = new Intl.NumberFormat("en", { style: "currency", currency: "USD" });
  }
  const whole = new Intl.NumberFormat("en", { style: "currency", currency: f.resolvedOptions().currency, minimumFractionDigits: 0 });
  const symbol = f.formatToParts(0).find((p) => p.type === "currency")?.value ?? currency;
  // $5 off, $5.50 off: whole amounts without the cents, as merchants write them.
  return { money: (cents: number) => (cents % 100 === 0 ? whole : f).format(cents / 100), exact: (cents: number) => f.format(cents / 100), symbol };
}

const points = (n: number) => `${new Intl.NumberFormat("en").format(n)} ${n === 1 ? "point" : "points"}`;

function useToast() {
  const [banner, setBanner] = useState<string | null>(null);
  const show = useCallback((message: string) => {
    // App Bridge's toast inside the admin; a banner where App Bridge isn't loaded.
    const bridge = (globalThis as { shopify?: { toast?: { show?: (m: string) => void } } }).shopify;
    if (typeof bridge?.toast?.show === "function") bridge.toast.show(message);
    else setBanner(message);
  }, []);
  const dismiss = useCallback(() => setBanner(null), []);
  return { banner, show, dismiss };
}

// ---- the page -------------------------------------------------------------------------------------

export default function Program() {
  const data = useLoaderData<typeof loader>();
  const { money, exact, symbol } = moneyFormat(data.currency);
  // Keyed by content: a reward change reloads the page data too, and must not undo unsaved edits.
  const savedJson = JSON.stringify(data.settings);
  const saved = useMemo(() => toForm(JSON.parse(savedJson) as Settings), [savedJson]);
  const [form, setForm] = useState<SettingsForm>(saved);
  const fetcher = useFetcher<ActionData>();
  const toast = useToast();

  // After a save the loader runs again: the form shows what is stored (tiers sorted).
  useEffect(() => setForm(saved), [saved]);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.intent === "save-settings") toast.show(fetcher.data.message);
  }, [fetcher.state, fetcher.data, toast.show]);

  const saving = fetcher.state !== "idle";
  const errors: FieldErrors = fetcher.data && !fetcher.data.ok && fetcher.state === "idle" ? fetcher.data.errors : {};
  const dirty = !sameForm(form, saved);
  useEffect(() => {
    if (dirty) toast.dismiss();
  }, [dirty, toast.dismiss]);
  const set = <K extends keyof SettingsForm>(key: K) => (value: SettingsForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const save = () => fetcher.submit({ intent: "save-settings", settings: toPayload(form) }, { method: "post", encType: "application/json" });

  const rate = Number(form.pointsPerUnit);
  const example = Number.isFinite(rate) && rate > 0 ? pointsForOrder({ subtotalCents: 5000, test: false, customerShopifyId: "example" }, { pointsPerUnit: rate }, null) : null;
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
        {toast.banner && (
          <Banner tone="success" title={toast.banner} onDismiss={toast.dismiss}>
            <p>New orders, refunds and redemptions follow these settings from now on. Points already earned are unchanged.</p>
          </Banner>
        )}
        {errorCount > 0 && (
          <Banner tone="critical" title={errorCount === 1 ? "Fix 1 field to save" : `Fix ${errorCount} fields to save`}>
            {errors.form ? <p>{errors.form}</p> : <p>Nothing was saved. The fields to change are marked below.</p>}
          </Banner>
        )}
        {data.rewards.length === 0 && <StarterRewards suggestions={data.suggestedRewards as Reward[]} money={money} />}

        <Layout>
          <Layout.AnnotatedSection
            id="earning"
            title="Earning"
            description="Customers earn on every paid order: the subtotal after discounts, without shipping, taxes or tips. Guests and test orders earn nothing."
          >
            <Card>
              <BlockStack gap="300">
                <TextField
                  label={`Points per ${symbol}1 spent`}
                  type="number"
                  min={0}
                  step={0.1}
                  autoComplete="off"
                  value={form.pointsPerUnit}
                  onChange={set("pointsPerUnit")}
                  error={errors.pointsPerUnit}
                  suffix="points"
                  name="pointsPerUnit"
                />
                <Box background="bg-surface-secondary" padding="300" borderRadius="200">
                  <div data-example="earning"><Text as="p">
                    {example === null ? (
                      "Enter a rate to see what an order earns."
                    ) : (
                      <>
                        An order of <Text as="span" fontWeight="semibold">{exact(5000)}</Text> earns{" "}
                        <Text as="span" fontWeight="semibold">{points(example)}</Text>
                        {form.tiersEnabled ? ", times the customer's tier multiplier." : "."}
                      </>
                    )}
                  </Text></div>
                </Box>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="bonuses"
            title="Bonuses"
            description="Extra points for joining. Off until you turn it on; the suggested amount is a good start. Birthday and referral bonuses are not offered yet."
          >
            <Card>
              <BlockStack gap="400">
                <BonusField
                  label="Sign-up bonus" help="When a customer creates an account."
                  enabled={form.signupBonusEnabled} onToggle={set("signupBonusEnabled")}
                  value={form.signupBonusPoints} onChange={set("signupBonusPoints")}
                  suggested={data.suggested.signupBonusPoints} error={errors.signupBonusPoints} name="signupBonusPoints"
                />
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="tiers"
            title="VIP tiers"
            description="Customers who spend more earn faster. A customer's tier is the highest one their spend over the last 12 months reaches (subtotal after discounts, minus refunds); it is updated on each order and refund."
          >
            <Card>
              <BlockStack gap="400">
                <Checkbox label="Reward top customers with VIP tiers" checked={form.tiersEnabled} onChange={set("tiersEnabled")} name="tiersEnabled" />
                {form.tiersEnabled && (
                  <TierEditor
                    tiers={form.tiers}
                    onChange={set("tiers")}
                    errors={errors}
                    symbol={symbol}
                    suggested={data.suggested.tiers.map((t) => ({ key: nextKey++, name: t.name, minSpend: plain(t.minSpendCents), multiplier: String(t.multiplier) }))}
                    money={money}
                  />
                )}
                {!form.tiersEnabled && form.tiers.length > 0 && (
                  <Text as="p" tone="subdued">
                    {form.tiers.length} saved {form.tiers.length === 1 ? "tier is" : "tiers are"} kept for when you turn tiers back on.
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
                <Checkbox label="Points expire after a period without orders" checked={form.expiryEnabled} onChange={set("expiryEnabled")} name="expiryEnabled" />
                <TextField
                  label="Months without an order"
                  type="number"
                  min={1}
                  autoComplete="off"
                  value={form.expiryMonths}
                  onChange={set("expiryMonths")}
                  disabled={!form.expiryEnabled}
                  error={errors.expiryMonths}
                  suffix="months"
                  helpText={`Suggested: ${data.suggested.expiryMonths} months. Any order resets the clock.`}
                  name="expiryMonths"
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
                <TextField
                  label="Codes expire after"
                  type="number"
                  min={1}
                  autoComplete="off"
                  value={form.codeExpiryDays}
                  onChange={set("codeExpiryDays")}
                  error={errors.codeExpiryDays}
                  suffix="days"
                  name="codeExpiryDays"
                />
                <Checkbox
                  label="Give the points back when a code expires unused"
                  checked={form.restorePointsOnExpiry}
                  onChange={set("restorePointsOnExpiry")}
                  name="restorePointsOnExpiry"
                />
                <BlockStack gap="100">
                  <Text as="p" fontWeight="medium">Codes can be combined with</Text>
                  <Checkbox label="Order discounts" checked={form.combinesWithOrder} onChange={set("combinesWithOrder")} name="combinesWithOrder" />
                  <Checkbox label="Product discounts" checked={form.combinesWithProduct} onChange={set("combinesWithProduct")} name="combinesWithProduct" />
                  <Checkbox label="Shipping discounts" checked={form.combinesWithShipping} onChange={set("combinesWithShipping")} name="combinesWithShipping" />
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
              <TextField
                label="A customer is active for"
                type="number"
                min={30}
                autoComplete="off"
                value={form.activeWindowDays}
                onChange={set("activeWindowDays")}
                error={errors.activeWindowDays}
                suffix="days after an order"
                helpText="365 days suits most stores; use less for things bought often, like coffee."
                name="activeWindowDays"
              />
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="rewards"
            title="Rewards"
            description="What customers spend points on. Each reward saves on its own; changes apply to the next redemption; codes already issued keep their value. A reward that has been redeemed can be deactivated, not deleted."
          >
            <RewardList rewards={data.rewards as Reward[]} money={money} symbol={symbol} />
          </Layout.AnnotatedSection>
        </Layout>

        <InlineStack align="end" gap="200">
          {dirty && <Button onClick={() => setForm(saved)} disabled={saving}>Discard</Button>}
          <Button variant="primary" onClick={save} disabled={!dirty || saving} loading={saving}>Save</Button>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}

function BonusField(p: {
  label: string; help: string; enabled: boolean; onToggle: (v: boolean) => void; value: string; onChange: (v: string) => void;
  suggested: number; error?: string; name: string;
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
        helpText={`Suggested: ${new Intl.NumberFormat("en").format(p.suggested)}`}
        name={p.name}
      />
    </InlineGrid>
  );
}

const TIER_COLUMNS: ("twoThirds" | "oneThird")[] = ["twoThirds", "twoThirds", "oneThird", "oneThird"];

function TierEditor(p: {
  tiers: TierForm[]; onChange: (t: TierForm[]) => void; errors: FieldErrors; symbol: string; suggested: TierForm[];
  money: (cents: number) => string;
}) {
  const update = (key: number, patch: Partial<TierForm>) => p.onChange(p.tiers.map((t) => (t.key === key ? { ...t, ...patch } : t)));
  const add = () => {
    const last = p.tiers.at(-1);
    const lastSpend = last ? toCents(last.minSpend) : 0;
    const spend = typeof lastSpend === "number" ? plain(lastSpend === 0 ? 30_000 : lastSpend * 2) : "";
    p.onChange([...p.tiers, { key: nextKey++, name: "", minSpend: spend, multiplier: last?.multiplier ?? "1" }]);
  };
  return (
    <BlockStack gap="300">
      {p.errors.tiers && <Text as="p" tone="critical">{p.errors.tiers}</Text>}
      {p.tiers.length === 0 ? (
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <BlockStack gap="200">
            <Text as="p">
              A common start:{" "}
              {p.suggested.map((t) => `${t.name} from ${p.money(Number(toCents(t.minSpend)))} (×${t.multiplier})`).join(", ")}.
            </Text>
            <InlineStack gap="200">
              <Button onClick={() => p.onChange(p.suggested)}>Use suggested tiers</Button>
              <Button variant="plain" onClick={add}>Start from scratch</Button>
            </InlineStack>
          </BlockStack>
        </Box>
      ) : (
        <>
          <InlineGrid columns={TIER_COLUMNS} gap="200">
            <Text as="span" fontWeight="medium">Tier name</Text>
            <Text as="span" fontWeight="medium">12-month spend from</Text>
            <Text as="span" fontWeight="medium">Multiplier</Text>
          </InlineGrid>
          {p.tiers.map((t, i) => (
            <InlineGrid key={t.key} columns={TIER_COLUMNS} gap="200" alignItems="start">
              <TextField
                label={`Tier ${i + 1} name`} labelHidden autoComplete="off" value={t.name} placeholder="Gold"
                onChange={(name) => update(t.key, { name })} error={p.errors[`tiers.${i}.name`]} name={`tiers.${i}.name`}
              />
              <TextField
                label={`Tier ${i + 1} 12-month spend from`} labelHidden autoComplete="off" type="number" min={0} prefix={p.symbol}
                value={t.minSpend} onChange={(minSpend) => update(t.key, { minSpend })}
                error={p.errors[`tiers.${i}.minSpendCents`]} name={`tiers.${i}.minSpend`}
              />
              <TextField
                label={`Tier ${i + 1} multiplier`} labelHidden autoComplete="off" type="number" min={1} step={0.05} suffix="×"
                value={t.multiplier} onChange={(multiplier) => update(t.key, { multiplier })}
                error={p.errors[`tiers.${i}.multiplier`]} name={`tiers.${i}.multiplier`}
              />
              <Button variant="tertiary" tone="critical" onClick={() => p.onChange(p.tiers.filter((x) => x.key !== t.key))} accessibilityLabel={`Remove tier ${t.name || i + 1}`}>
                Remove
              </Button>
            </InlineGrid>
          ))}
          <InlineStack>
            <Button onClick={add} disabled={p.tiers.length >= 20}>Add tier</Button>
          </InlineStack>
          <Text as="p" tone="subdued" variant="bodySm">
            Below the lowest threshold customers earn the base rate (×1). Tiers are saved in order of spend.
          </Text>
        </>
      )}
    </BlockStack>
  );
}

// ---- rewards --------------------------------------------------------------------------------------

function rewardValue(r: Pick<Reward, "kind" | "valueCents" | "percentOff">, money: (c: number) => string) {
  return r.kind === "amount_off" ? `${money(r.valueCents)} off` : r.kind === "percent_off" ? `${r.percentOff}% off` : "Free shipping";
}

function StarterRewards({ suggestions, money }: { suggestions: Reward[]; money: (c: number) => string }) {
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
        {suggestions.map((r) => `${rewardValue(r, money)} for ${points(r.pointsCost)}`).join(", ")}. You can change them any time.
      </p>
    </Banner>
  );
}

type RewardForm = { name: string; kind: RewardKind; pointsCost: string; value: string; minimumSubtotal: string };

const KIND_OPTIONS = [
  { label: "Amount off", value: "amount_off" },
  { label: "Percentage off", value: "percent_off" },
  { label: "Free shipping", value: "free_shipping" },
];

function RewardList({ rewards, money, symbol }: { rewards: Reward[]; money: (c: number) => string; symbol: string }) {
  const [editing, setEditing] = useState<number | "new" | null>(null);
  return (
    <Card padding="0">
      <Box padding="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingSm">
            {rewards.length === 0 ? "No rewards yet" : `${rewards.filter((r) => r.active).length} active of ${rewards.length}`}
          </Text>
          <Button onClick={() => setEditing("new")} disabled={editing === "new"}>Add reward</Button>
        </InlineStack>
      </Box>
      {editing === "new" && (
        <>
          <Divider />
          <RewardEditor reward={null} money={money} symbol={symbol} onDone={() => setEditing(null)} />
        </>
      )}
      {rewards.map((r) => (
        <div key={r.id} data-reward={r.id}>
          <Divider />
          {editing === r.id ? (
            <RewardEditor reward={r} money={money} symbol={symbol} onDone={() => setEditing(null)} />
          ) : (
            <RewardRow reward={r} money={money} onEdit={() => setEditing(r.id)} />
          )}
        </div>
      ))}
    </Card>
  );
}

function RewardRow({ reward: r, money, onEdit }: { reward: Reward; money: (c: number) => string; onEdit: () => void }) {
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
              <Text as="h3" variant="headingSm">{r.name}</Text>
              {!r.active && <Badge>Inactive</Badge>}
            </InlineStack>
            <Text as="p" tone="subdued">
              {rewardValue(r, money) === r.name ? "" : `${rewardValue(r, money)} · `}
              {points(r.pointsCost)}
              {r.minimumSubtotalCents ? ` · orders over ${money(r.minimumSubtotalCents)}` : ""}
              {r.redemptions ? ` · redeemed ${new Intl.NumberFormat("en").format(r.redemptions)}×` : ""}
            </Text>
          </BlockStack>
          <ButtonGroup>
            <Button onClick={onEdit} disabled={busy}>Edit</Button>
            {r.active ? (
              <Button onClick={() => act("deactivate-reward")} loading={busy}>Deactivate</Button>
            ) : (
              <Button onClick={() => act("activate-reward")} loading={busy}>Activate</Button>
            )}
            {r.redemptions === 0 && (
              <Button tone="critical" variant="tertiary" onClick={() => act("delete-reward")} disabled={busy}>Delete</Button>
            )}
          </ButtonGroup>
        </InlineStack>
        {failed && <Text as="p" tone="critical">{failed}</Text>}
      </BlockStack>
    </Box>
  );
}

function RewardEditor({ reward, money, symbol, onDone }: { reward: Reward | null; money: (c: number) => string; symbol: string; onDone: () => void }) {
  const fetcher = useFetcher<ActionData>();
  const [form, setForm] = useState<RewardForm>(() => ({
    name: reward?.name ?? "",
    kind: reward?.kind ?? "amount_off",
    pointsCost: reward ? String(reward.pointsCost) : "",
    value: reward ? (reward.kind === "amount_off" ? plain(reward.valueCents) : reward.kind === "percent_off" ? String(reward.percentOff) : "") : "",
    minimumSubtotal: reward?.minimumSubtotalCents ? plain(reward.minimumSubtotalCents) : "",
  }));
  const set = <K extends keyof RewardForm>(key: K) => (value: RewardForm[K]) => setForm((f) => ({ ...f, [key]: value }));
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
          valueCents: form.kind === "amount_off" ? toCents(form.value) : 0,
          percentOff: form.kind === "percent_off" ? form.value : 0,
          minimumSubtotalCents: form.minimumSubtotal.trim() === "" ? null : toCents(form.minimumSubtotal),
        },
      },
      { method: "post", encType: "application/json" },
    );

  const preview = form.kind === "amount_off" ? toCents(form.value) : null;
  return (
    <Box padding="400" background="bg-surface-secondary">
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">{reward ? `Edit ${reward.name}` : "New reward"}</Text>
        {errors.form && <Text as="p" tone="critical">{errors.form}</Text>}
        <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
          <TextField label="Name customers see" autoComplete="off" value={form.name} onChange={set("name")} error={errors.name}
            placeholder={form.kind === "amount_off" && typeof preview === "number" && preview > 0 ? rewardValue({ kind: "amount_off", valueCents: preview, percentOff: 0 }, money) : "10% off"} name="name" />
          <Select label="Type" options={KIND_OPTIONS} value={form.kind} onChange={(v) => set("kind")(v as RewardKind)} error={errors.kind} name="kind" />
          <TextField label="Cost" type="number" min={1} autoComplete="off" value={form.pointsCost} onChange={set("pointsCost")} suffix="points"
            error={errors.pointsCost} name="pointsCost" />
          {form.kind === "amount_off" && (
            <TextField label="Amount off" type="number" min={0} step={0.01} autoComplete="off" prefix={symbol} value={form.value}
              onChange={set("value")} error={errors.valueCents} name="valueCents" />
          )}
          {form.kind === "percent_off" && (
            <TextField label="Percentage off" type="number" min={1} max={100} autoComplete="off" suffix="%" value={form.value}
              onChange={set("value")} error={errors.percentOff} name="percentOff" />
          )}
          <TextField label="Minimum order subtotal (optional)" type="number" min={0} step={0.01} autoComplete="off" prefix={symbol}
            value={form.minimumSubtotal} onChange={set("minimumSubtotal")} error={errors.minimumSubtotalCents} name="minimumSubtotalCents" />
        </InlineGrid>
        <InlineStack gap="200" align="end">
          <Button onClick={onDone} disabled={fetcher.state !== "idle"}>Cancel</Button>
          <Button variant="primary" onClick={submit} loading={fetcher.state !== "idle"}>{reward ? "Save reward" : "Add reward"}</Button>
        </InlineStack>
      </BlockStack>
    </Box>
  );
}
