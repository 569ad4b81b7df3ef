// The payloads of Regulars' Shopify Flow triggers: the fields each trigger extension declares
// (extensions/regulars-flow-*/shopify.extension.toml; keys are letters and spaces, as Flow
// requires), with the customer as Flow's `customer_id`. Pure: test/extensions/flow-triggers.test.ts
// checks them against the extensions' fields.
import { FLOW_TRIGGERS, type FlowTrigger } from "../shopify/flow-triggers";

export type NewFlowEvent = {
  shop: string;
  trigger: FlowTrigger;
  dedupeKey: string;
  payload: Record<string, unknown>;
  redemptionId?: number | null;
};

/** Flow's customer reference: the customer's numeric id. */
export const customerRef = (shopifyId: string) => (/^\d+$/.test(shopifyId) ? Number(shopifyId) : shopifyId);

export function rewardRedeemedEvent(e: {
  shop: string;
  customerShopifyId: string;
  redemptionId: number;
  reward: { name: string; pointsCost: number };
  balance: number;
}): NewFlowEvent {
  return {
    shop: e.shop,
    trigger: FLOW_TRIGGERS.rewardRedeemed,
    dedupeKey: `reward-redeemed:${e.redemptionId}`,
    redemptionId: e.redemptionId,
    payload: {
      customer_id: customerRef(e.customerShopifyId),
      Reward: e.reward.name,
      "Points spent": e.reward.pointsCost,
      Balance: e.balance,
    },
  };
}

export function pointsEarnedEvent(
  shop: string,
  c: { shopifyId: string; pointsBalance: number; tier: string | null },
  entry: { delta: number; reason: string; idempotencyKey: string },
): NewFlowEvent {
  return {
    shop,
    trigger: FLOW_TRIGGERS.pointsEarned,
    dedupeKey: `points-earned:${entry.idempotencyKey}`,
    payload: {
      customer_id: customerRef(c.shopifyId),
      Points: entry.delta,
      Balance: c.pointsBalance,
      Reason: entry.reason,
      Tier: c.tier ?? "",
    },
  };
}

export function tierChangedEvent(
  shop: string,
  c: { id: number; shopifyId: string; pointsBalance: number },
  move: { seq: number; from: string | null; to: string | null },
): NewFlowEvent {
  return {
    shop,
    trigger: FLOW_TRIGGERS.tierChanged,
    dedupeKey: `tier-changed:${c.id}:${move.seq}`,
    payload: {
      customer_id: customerRef(c.shopifyId),
      "Previous tier": move.from ?? "",
      "New tier": move.to ?? "",
      Balance: c.pointsBalance,
    },
  };
}

export function pointsExpiringEvent(
  shop: string,
  c: { id: number; shopifyId: string; tier: string | null },
  reminder: { points: number; expiresOn: string },
): NewFlowEvent {
  return {
    shop,
    trigger: FLOW_TRIGGERS.pointsExpiring,
    dedupeKey: `points-expiring:${c.id}:${reminder.expiresOn}`,
    payload: {
      customer_id: customerRef(c.shopifyId),
      Points: reminder.points,
      "Expiry date": reminder.expiresOn,
      Tier: c.tier ?? "",
    },
  };
}
