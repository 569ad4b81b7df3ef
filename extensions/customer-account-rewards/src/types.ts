// What the Regulars app answers (app/loyalty/checkout-view.server.ts).
export type Reward = { id: string; name: string; pointsCost: number; affordable: boolean; kind?: string };
export type Code = { code: string; rewardName: string; expiresAt: string | null };
/** Store credit a reward added to the customer's Shopify account (amount: decimal string). */
export type Credit = { rewardName: string; amount: string; currency: string; issuedAt: string; expiresAt: string | null };
export type HistoryItem = { id: string; delta: number; kind: string; reason: string; createdAt: string };
export type RewardsResponse = {
  points: number;
  tier: { name: string } | null;
  nextTier: { name: string; progress: number } | null;
  rewards: Reward[];
  codes: Code[];
  credits?: Credit[];
  history: HistoryItem[];
  nextCursor: string | null;
};
export type Redeemed = {
  code?: string;
  storeCredit?: { amount: string; currency: string };
  points: number;
  pointsSpent: number;
  expiresAt: string | null;
};
export type OrderPoints = { orderName: string | null; earned: number; clawedBack: number; net: number };
