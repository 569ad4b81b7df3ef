// Our Shopify Flow trigger extensions' handles (the `handle` in each
// extensions/regulars-flow-*/shopify.extension.toml); the emulator checks them too.
export const FLOW_TRIGGERS = {
  pointsEarned: "regulars-points-earned",
  tierChanged: "regulars-tier-changed",
  pointsExpiring: "regulars-points-expiring",
  rewardRedeemed: "regulars-reward-redeemed",
} as const;
export type FlowTrigger = (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];
export const FLOW_TRIGGER_HANDLES = Object.values(FLOW_TRIGGERS) as FlowTrigger[];
