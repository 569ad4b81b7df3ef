// Onboarding: the first time a shop opens the app (until the owner finishes or puts it aside), three
// steps — how customers earn, the starter rewards, the rewards widget on the theme — beside a
// checklist that ticks itself from what is stored and what the live theme says. Validation and
// storage are app/onboarding's (which saves through app/loyalty, like the Program page); this route
// reads the request and answers; the steps are the components beside it.
import { useEffect, useState } from "react";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Banner, BlockStack, Button, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { adminFormat } from "../../admin/format";
import { adminLocale } from "../../admin/request";
import { log } from "../../log.server";
import { InvalidInput, type FieldErrors } from "../../loyalty/form-input";
import { listRewards, type Reward } from "../../loyalty/rewards.server";
import {
  checkEmbed,
  dismissOnboarding,
  earningProposal,
  embedEditorUrl,
  finishOnboarding,
  NotReadyToFinish,
  onboardingStatus,
  saveEarning,
  saveStarterRewards,
  starterRewards,
} from "../../onboarding/onboarding.server";
import { authenticate } from "../../shopify.server";
import { shopFacts } from "../../shops/facts.server";
import { Checklist } from "./Checklist";
import { EarningStep } from "./EarningStep";
import { STEPS, type ActionData, type StepKey } from "./form";
import { RewardsStep } from "./RewardsStep";
import { WidgetStep } from "./WidgetStep";

export const meta: MetaFunction = () => [{ title: "Set up · Regulars" }];

const MAX_BODY_BYTES = 64 * 1024;

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const [status, earning, starters, rewards, { currency }] = await Promise.all([
    onboardingStatus(shop),
    earningProposal(shop),
    starterRewards(shop),
    listRewards(shop),
    shopFacts(shop),
  ]);
  return {
    status,
    earning,
    // Starter rewards are proposed only to a shop without any; one with rewards sees its own.
    starters: rewards.length === 0 ? starters : [],
    rewards: rewards.filter((r) => r.active),
    currency,
    locale: adminLocale(new URL(request.url).searchParams),
    embedUrl: embedEditorUrl(shop),
  };
}

const fail = (intent: string, errors: FieldErrors, status: number) => json<ActionData>({ ok: false, intent, errors }, { status });

export async function action({ request }: ActionFunctionArgs) {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return fail("unknown", { form: `The request is over ${MAX_BODY_BYTES} bytes` }, 413);
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    body = parsed as Record<string, unknown>;
  } catch {
    log.info("onboarding.refused", { shop, reason: "body is not a JSON object" });
    return fail("unknown", { form: "The request body must be a JSON object" }, 400);
  }
  const intent = String(body.intent ?? "");
  try {
    switch (intent) {
      case "save-earning":
        await saveEarning(shop, body.earning);
        log.info("onboarding.earning_saved", { shop });
        return json<ActionData>({ ok: true, intent, message: "Earning saved" });
      case "save-rewards": {
        const created = await saveStarterRewards(shop, body.rewards);
        log.info("onboarding.rewards_saved", { shop, created });
        return json<ActionData>({
          ok: true,
          intent,
          message: created ? `Added ${created} rewards` : "Your rewards were already added",
        });
      }
      case "check-embed": {
        const embed = await checkEmbed(shop, admin);
        return json<ActionData>({ ok: true, intent, message: `The widget is ${embed.state}`, embed });
      }
      case "dismiss":
        await dismissOnboarding(shop);
        log.info("onboarding.dismissed", { shop });
        return redirect("/app");
      case "finish":
        await finishOnboarding(shop);
        log.info("onboarding.finished", { shop });
        return redirect("/app");
      default:
        log.info("onboarding.refused", { shop, reason: `unknown intent ${intent.slice(0, 40)}` });
        return fail(intent, { form: `Unknown action "${intent.slice(0, 40)}"` }, 400);
    }
  } catch (error) {
    if (error instanceof InvalidInput) {
      log.info("onboarding.refused", { shop, intent, fields: Object.keys(error.fieldErrors) });
      return fail(intent, error.fieldErrors, 422);
    }
    if (error instanceof NotReadyToFinish) {
      log.info("onboarding.refused", { shop, intent, missing: error.missing });
      return fail(intent, { form: "Finish the steps that are not ticked yet, or choose “Do this later”" }, 409);
    }
    throw error;
  }
}

export default function Onboarding() {
  const data = useLoaderData<typeof loader>();
  const finishing = useActionData<ActionData>();
  const f = adminFormat({ locale: data.locale, currency: data.currency });
  const { checklist, done } = data.status;
  const [step, setStep] = useState<StepKey>(() => STEPS.find((s) => !checklist[s]) ?? "embed");
  const next = (from: StepKey) => setStep(STEPS[Math.min(STEPS.indexOf(from) + 1, STEPS.length - 1)]);
  const allDone = done === STEPS.length;
  const finishError = finishing && !finishing.ok ? finishing.errors.form : null;
  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [step]);

  return (
    <Page
      title="Set up your loyalty program"
      subtitle="Three steps, a few minutes. Everything can be changed later on the Program page."
    >
      <TitleBar title="Set up" />
      <BlockStack gap="400">
        {finishError && (
          <Banner tone="critical" title="Not finished yet">
            <p>{finishError}</p>
          </Banner>
        )}
        <Layout>
          <Layout.Section>
            {step === "earning" && <EarningStep proposal={data.earning} f={f} onSaved={() => next("earning")} />}
            {step === "rewards" && (
              <RewardsStep
                starters={data.starters}
                rewards={data.rewards as Reward[]}
                f={f}
                onSaved={() => next("rewards")}
                onBack={() => setStep("earning")}
              />
            )}
            {step === "embed" && (
              <WidgetStep
                on={checklist.embed}
                checkedAt={data.status.embedCheckedAt}
                editorUrl={data.embedUrl}
                onBack={() => setStep("rewards")}
              />
            )}
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Checklist checklist={checklist} done={done} current={step} onOpen={setStep} />
          </Layout.Section>
        </Layout>
        <LeaveButtons allDone={allDone} />
        {!allDone && (
          <Text as="p" tone="subdued" alignment="end">
            Finish turns on when every step is ticked.
          </Text>
        )}
      </BlockStack>
    </Page>
  );
}

/** "Do this later" and "Finish": both lead to the dashboard. */
function LeaveButtons({ allDone }: { allDone: boolean }) {
  const submit = useSubmit();
  const navigation = useNavigation();
  const leaving = navigation.state !== "idle" && navigation.formMethod === "POST";
  const leave = (intent: "dismiss" | "finish") => submit({ intent }, { method: "post", encType: "application/json" });
  return (
    <InlineStack align="end" gap="200">
      <Button onClick={() => leave("dismiss")} disabled={leaving}>
        Do this later
      </Button>
      <Button variant="primary" onClick={() => leave("finish")} disabled={!allDone || leaving} loading={leaving}>
        Finish
      </Button>
    </InlineStack>
  );
}
