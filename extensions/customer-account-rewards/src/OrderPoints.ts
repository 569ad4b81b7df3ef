// customer-account.order-status.block.render: "This order earned N points" on an order's page,
// with what refunds took back; a link to the Rewards page.
import { AppError, callApp } from "./backend";
import { h, show } from "./dom";
import { shopifyApi, type OrderStatusApi } from "./shopify";
import type { OrderPoints } from "./types";

export default async () => {
  const shopify = shopifyApi<OrderStatusApi>();
  const { i18n } = shopify;
  const t = i18n.translate;
  const points = (n: number) => t("points", { count: n, points: i18n.formatNumber(n) });
  const order = shopify.order.value;
  if (!order) return;

  let earned: OrderPoints | null;
  try {
    earned = await callApp<OrderPoints>(
      shopify.sessionToken,
      `/api/customer-account/order-points?orderId=${encodeURIComponent(order.id)}`,
    );
  } catch (error) {
    if (!(error instanceof AppError && error.status === 404)) {
      console.warn(error);
      return;
    }
    earned = null; // not recorded yet: points arrive when the payment does
  }

  const link = h("s-link", { href: "extension:customer-account-rewards/" }, t("order.seeRewards"));
  if (!earned) {
    show(h("s-stack", { gap: "small-200" }, h("s-text", null, t("order.pending")), link));
    return;
  }
  show(
    h(
      "s-stack",
      { gap: "small-200" },
      h("s-text", { type: "strong" }, t("order.earned", { points: points(earned.earned) })),
      earned.clawedBack > 0 && h("s-text", { color: "subdued" }, t("order.clawedBack", { points: points(earned.clawedBack) })),
      link,
    ),
  );
};
