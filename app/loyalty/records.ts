// Orders, refunds and customers as Regulars keeps them, whichever way they arrive: a webhook
// (app/webhooks/payloads.ts), the history import (app/backfill/bulk-lines.ts) or a reconciliation.
// Money is integer cents of the shop currency (money.ts); ids are Shopify's numeric ids as text.

export type RefundRecord = { shopifyId: string; orderShopifyId: string; subtotalCents: number; createdAt: Date };

export type OrderRecord = {
  shopifyId: string;
  name: string | null;
  customer: CustomerRecord | null;
  processedAt: Date;
  subtotalCents: number;
  totalCents: number;
  currency: string;
  financialStatus: string | null;
  cancelledAt: Date | null;
  test: boolean;
  discountCodes: string[];
  refunds: RefundRecord[];
  /** What a referral is judged by; only webhook orders carry it (referrals.ts). */
  referral?: ReferralSignals;
};

/**
 * The `regulars_referral` cart attribute and the buyer's contact points, as the order gave them.
 * The contact points are only hashed (referrals.ts), never stored.
 */
export type ReferralSignals = {
  code: string | null;
  emails: string[];
  phones: string[];
  shippingAddress: string | null;
};

export type CustomerRecord = {
  shopifyId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Shopify's `facts.birth_date` (YYYY-MM-DD) when the payload carried it. */
  birthDate?: string | null;
};
