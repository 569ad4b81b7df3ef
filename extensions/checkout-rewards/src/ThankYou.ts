// purchase.thank-you.block.render: every plan. "You earn N points with this order", from the
// order's subtotal after discounts and the shop's earning rate (the app applies the same rule
// it applies when orders/paid arrives); a guest sees what an account would have earned.
import { callApp, subtotalAfterDiscounts } from "./backend";
import { h, show } from "./dom";
import { shopifyApi, type ThankYouApi } from "./shopify";

type Estimate = { points: number; memberPoints: number; member: boolean };

export default async () => {
  const shopify = shopifyApi<ThankYouApi>();
  const { i18n } = shopify;
  const t = i18n.translate;
  const subtotal = subtotalAfterDiscounts(shopify.cost.subtotalAmount.value, shopify.discountAllocations.value);

  let estimate: Estimate;
  try {
    estimate = await callApp<Estimate>(
      shopify.sessionToken,
      `/api/checkout/order-points?subtotal=${encodeURIComponent(subtotal)}`,
    );
  } catch (error) {
    console.warn(error);
    return;
  }

  const points = (n: number) => t("points", { count: n, points: i18n.formatNumber(n) });
  if (estimate.member && estimate.points > 0) {
    show(
      h(
        "s-banner",
        { tone: "success", heading: t("thankYou.earned", { points: points(estimate.points) }) },
        h("s-text", null, t("thankYou.whenPaid")),
      ),
    );
  } else if (!estimate.member && estimate.memberPoints > 0) {
    show(h("s-banner", { tone: "info", heading: t("thankYou.guest", { points: points(estimate.memberPoints) }) }));
  }
};
