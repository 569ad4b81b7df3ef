// customer-account.page.render: the member's Rewards page: balance and tier, codes they have
// not used yet, store credit their rewards added, rewards (redeem in one click), and the points
// history (newest first, paged).
import { AppError, callApp, newIdempotencyKey } from "./backend";
import { h, show, type Child } from "./dom";
import { shopifyApi, type RewardsPageApi } from "./shopify";
import type { Redeemed, Reward, RewardsResponse } from "./types";

const PATH = "/api/customer-account/rewards";

export default async () => {
  const shopify = shopifyApi<RewardsPageApi>();
  const { i18n } = shopify;
  const t = i18n.translate;
  const points = (n: number) => t("points", { count: n, points: i18n.formatNumber(n) });
  const page = (...children: Child[]) => show(h("s-page", { heading: t("page.title") }, ...children));

  page(h("s-spinner", { accessibilityLabel: t("page.loading") }));
  let data: RewardsResponse;
  try {
    data = await callApp<RewardsResponse>(shopify.sessionToken, PATH);
  } catch (error) {
    console.warn(error);
    page(h("s-banner", { tone: "critical", heading: t("page.unavailable") }));
    return;
  }
  let busy: string | null = null;

  async function loadMore() {
    if (!data.nextCursor) return;
    busy = "more";
    render();
    try {
      const next = await callApp<RewardsResponse>(shopify.sessionToken, `${PATH}?cursor=${encodeURIComponent(data.nextCursor)}`);
      data = { ...data, history: [...data.history, ...next.history], nextCursor: next.nextCursor };
    } catch (error) {
      console.warn(error);
      void shopify.toast.show(t("page.unavailable"));
    }
    busy = null;
    render();
  }

  async function redeem(reward: Reward) {
    busy = reward.id;
    render();
    try {
      const redeemed = await callApp<Redeemed>(shopify.sessionToken, PATH, {
        rewardId: Number(reward.id),
        idempotencyKey: newIdempotencyKey(),
      });
      data = await callApp<RewardsResponse>(shopify.sessionToken, PATH);
      void shopify.toast.show(
        redeemed.storeCredit
          ? t("page.creditAdded", { amount: money(redeemed.storeCredit) })
          : t("page.redeemed", { code: redeemed.code ?? "" }),
      );
    } catch (error) {
      console.warn(error);
      const notEnough = error instanceof AppError && error.code === "not_enough_points";
      void shopify.toast.show(t(notEnough ? "page.notEnough" : "page.redeemFailed"));
    }
    busy = null;
    render();
  }

  const money = (m: { amount: string; currency: string }) => i18n.formatCurrency(Number(m.amount), { currency: m.currency });
  const day = (iso: string) => i18n.formatDate(new Date(iso), { dateStyle: "medium" });
  const credits = () => data.credits ?? [];

  const signed = (delta: number) => (delta > 0 ? `+${i18n.formatNumber(delta)}` : `−${i18n.formatNumber(-delta)}`);
  const row = (...children: Child[]) =>
    h("s-stack", { direction: "inline", gap: "small-200", alignItems: "center", justifyContent: "space-between" }, ...children);

  function render() {
    page(
      h(
        "s-section",
        { heading: t("page.balance") },
        h(
          "s-stack",
          { gap: "small-200" },
          h("s-heading", null, points(data.points)),
          data.tier && h("s-text", null, t("page.tier", { tier: data.tier.name })),
          data.nextTier && h("s-text", { color: "subdued" }, t("page.nextTier", { tier: data.nextTier.name })),
        ),
      ),
      data.codes.length > 0 &&
        h(
          "s-section",
          { heading: t("page.codes") },
          h(
            "s-stack",
            { gap: "small-200" },
            data.codes.map((c, i) =>
              row(
                h("s-text", null, c.rewardName, " · ", h("s-text", { type: "strong" }, c.code)),
                h("s-button", { variant: "secondary", command: "--copy", commandFor: `regulars-code-${i}` }, t("page.copy")),
                h("s-clipboard-item", { id: `regulars-code-${i}`, text: c.code }),
              ),
            ),
          ),
        ),
      credits().length > 0 &&
        h(
          "s-section",
          { heading: t("page.credits") },
          h(
            "s-stack",
            { gap: "small-200" },
            h("s-paragraph", { color: "subdued" }, t("page.creditsHelp")),
            credits().map((c) =>
              row(
                h(
                  "s-stack",
                  { gap: "none" },
                  h("s-text", null, c.rewardName),
                  h(
                    "s-text",
                    { color: "subdued" },
                    c.expiresAt
                      ? t("page.creditExpires", { issued: day(c.issuedAt), expires: day(c.expiresAt) })
                      : t("page.creditIssued", { issued: day(c.issuedAt) }),
                  ),
                ),
                h("s-text", { type: "strong" }, money(c)),
              ),
            ),
          ),
        ),
      h(
        "s-section",
        { heading: t("page.rewards") },
        data.rewards.length === 0
          ? h("s-paragraph", null, t("page.noRewards"))
          : h(
              "s-stack",
              { gap: "small-200" },
              data.rewards.map((r) =>
                row(
                  h("s-text", null, t("page.reward", { reward: r.name, points: points(r.pointsCost) })),
                  r.affordable
                    ? h(
                        "s-button",
                        {
                          variant: "secondary",
                          loading: busy === r.id,
                          disabled: busy !== null && busy !== r.id,
                          accessibilityLabel: t("page.redeemLabel", { reward: r.name, points: points(r.pointsCost) }),
                          onclick: () => void redeem(r),
                        },
                        t("page.redeem"),
                      )
                    : h("s-badge", { tone: "neutral" }, t("page.needMore", { points: points(r.pointsCost - data.points) })),
                ),
              ),
            ),
      ),
      h(
        "s-section",
        { heading: t("page.history") },
        data.history.length === 0
          ? h("s-paragraph", null, t("page.noHistory"))
          : h(
              "s-stack",
              { gap: "small-200" },
              data.history.map((e) =>
                row(
                  h(
                    "s-stack",
                    { gap: "none" },
                    h("s-text", null, e.reason),
                    h("s-text", { color: "subdued" }, i18n.formatDate(new Date(e.createdAt), { dateStyle: "medium" })),
                  ),
                  h("s-text", { type: "strong" }, signed(e.delta)),
                ),
              ),
              data.nextCursor &&
                h("s-button", { variant: "secondary", loading: busy === "more", onclick: () => void loadMore() }, t("page.more")),
            ),
      ),
    );
  }

  render();
};
