// purchase.checkout.reductions.render-after: under the discount field, on checkout steps that
// Shopify opens to extensions on Plus shops only. Shows the signed-in shopper's points; applies
// a code they already redeemed, or turns points into a code and applies it, in one click. A
// store-credit reward adds to the shopper's Shopify store credit instead, which they pay with in
// the payment step (store credit is a payment method on every plan; this block is Plus only).
import { AppError, callApp, newIdempotencyKey } from "./backend";
import { h, show } from "./dom";
import { shopifyApi, type ReductionsApi } from "./shopify";

type Member = {
  points: number;
  tier: { name: string } | null;
  rewards: Array<{ id: string; name: string; pointsCost: number; kind?: string }>;
  codes: Array<{ code: string; rewardName: string }>;
};
type Redeemed = { code?: string; storeCredit?: { amount: string; currency: string }; points: number };

export default async () => {
  const shopify = shopifyApi<ReductionsApi>();
  const { i18n } = shopify;
  const t = i18n.translate;
  const points = (n: number) => t("points", { count: n, points: i18n.formatNumber(n) });

  if (!shopify.buyerIdentity?.customer.value) {
    show(h("s-text", { color: "subdued" }, t("checkout.signInToUse")));
    return;
  }

  let member: Member;
  try {
    member = await callApp<Member>(shopify.sessionToken, "/api/checkout/member");
  } catch (error) {
    console.warn(error); // a loyalty hiccup never gets in the way of paying
    return;
  }

  let busy: string | null = null; // the code or reward being applied
  let failure: string | null = null;
  let credited: string | null = null; // the store credit just added, formatted

  async function apply(code: string): Promise<boolean> {
    const result = await shopify.applyDiscountCodeChange({ type: "addDiscountCode", code });
    if (result.type === "error") failure = t("checkout.applyFailed");
    return result.type === "success";
  }

  async function run(key: string, work: () => Promise<void>) {
    busy = key;
    failure = null;
    credited = null;
    render();
    try {
      await work();
    } catch (error) {
      console.warn(error);
      failure = t(
        error instanceof AppError && error.code === "not_enough_points" ? "checkout.notEnough" : "checkout.redeemFailed",
      );
    }
    busy = null;
    render();
  }

  const redeemAndApply = (reward: Member["rewards"][number], key = `reward:${reward.id}`) =>
    run(key, async () => {
      const redeemed = await callApp<Redeemed>(shopify.sessionToken, "/api/checkout/redeem", {
        rewardId: Number(reward.id),
        idempotencyKey: newIdempotencyKey(),
      });
      member = await callApp<Member>(shopify.sessionToken, "/api/checkout/member");
      if (redeemed.storeCredit) {
        const { amount, currency } = redeemed.storeCredit;
        credited = i18n.formatCurrency(Number(amount), { currency });
      } else if (redeemed.code) await apply(redeemed.code);
    });
  const isCredit = (reward: Member["rewards"][number]) => reward.kind === "store_credit";

  function render() {
    const applied = new Set(shopify.discountCodes.value.map((d) => d.code.toUpperCase()));
    const canApply = shopify.instructions.value.discounts.canUpdateDiscountCodes;
    const row = (label: string, action: HTMLElement) =>
      h(
        "s-stack",
        { direction: "inline", gap: "small-200", alignItems: "center", justifyContent: "space-between" },
        h("s-text", null, label),
        action,
      );
    const button = (key: string, label: string, accessibilityLabel: string, onclick: () => void) =>
      h(
        "s-button",
        {
          variant: "secondary",
          disabled: (!canApply && !key.startsWith("credit:")) || (busy !== null && busy !== key),
          loading: busy === key,
          accessibilityLabel,
          onclick,
        },
        label,
      );

    show(
      h(
        "s-stack",
        { gap: "small-200" },
        h(
          "s-stack",
          { direction: "inline", gap: "small-200", alignItems: "center" },
          h("s-text", { type: "strong" }, t("checkout.balance", { points: points(member.points) })),
          member.tier && h("s-badge", null, member.tier.name),
        ),
        member.codes.map((c) =>
          row(
            t("checkout.code", { reward: c.rewardName, code: c.code }),
            applied.has(c.code.toUpperCase())
              ? h("s-badge", null, t("checkout.applied"))
              : button(
                  `code:${c.code}`,
                  t("checkout.apply"),
                  t("checkout.applyLabel", { code: c.code }),
                  () => void run(`code:${c.code}`, async () => void (await apply(c.code))),
                ),
          ),
        ),
        member.rewards.map((r) =>
          row(
            t("checkout.reward", { reward: r.name, points: points(r.pointsCost) }),
            isCredit(r)
              ? button(
                  `credit:${r.id}`,
                  t("checkout.redeemCredit"),
                  t("checkout.redeemCreditLabel", { reward: r.name, points: points(r.pointsCost) }),
                  () => void redeemAndApply(r, `credit:${r.id}`),
                )
              : button(
                  `reward:${r.id}`,
                  t("checkout.redeem"),
                  t("checkout.redeemLabel", { reward: r.name, points: points(r.pointsCost) }),
                  () => void redeemAndApply(r),
                ),
          ),
        ),
        credited && h("s-banner", { tone: "success" }, t("checkout.creditAdded", { amount: credited })),
        !canApply &&
          (member.codes.length > 0 || member.rewards.some((r) => !isCredit(r))) &&
          h("s-text", { color: "subdued" }, t("checkout.cannotApply")),
        failure && h("s-banner", { tone: "critical" }, failure),
      ),
    );
  }

  render();
  shopify.discountCodes.subscribe(render);
  shopify.instructions.subscribe(render);
};
