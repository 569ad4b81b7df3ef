// The slice of Shopify's 2026-07 checkout UI extension API that this extension uses, written
// after the declarations of @shopify/ui-extensions 2026.7 (ADR 0006: that package is not a
// dependency yet; test/extensions checks this file against it when it is installed).
// At run time Shopify hands every target a global `shopify` object.

/** A value that can change while the extension runs (Preact-signal shaped). */
export interface Signal<T> {
  readonly value: T;
  subscribe(fn: (value: T) => void): () => void;
}

export interface Money {
  amount: number;
  currencyCode: string;
}

export interface I18n {
  /** `count` picks the plural form; other options fill `{{placeholders}}`. */
  translate(key: string, options?: Record<string, string | number>): string;
  formatNumber(number: number, options?: { inExtensionLocale?: boolean } & Intl.NumberFormatOptions): string;
  formatCurrency(number: number, options?: { inExtensionLocale?: boolean } & Intl.NumberFormatOptions): string;
  formatDate(date: Date, options?: { inExtensionLocale?: boolean } & Intl.DateTimeFormatOptions): string;
}

interface StandardApi {
  i18n: I18n;
  sessionToken: { get(): Promise<string> };
  cost: { subtotalAmount: Signal<Money> };
  /** Cart-level discounts; `cost.subtotalAmount` is before them. */
  discountAllocations: Signal<Array<{ discountedAmount: Money }>>;
  discountCodes: Signal<Array<{ code: string }>>;
  buyerIdentity?: { customer: Signal<{ id: string } | undefined> };
  instructions: Signal<{ discounts: { canUpdateDiscountCodes: boolean } }>;
}

export type DiscountCodeChangeResult = { type: "success" } | { type: "error"; message: string };

/** `purchase.checkout.reductions.render-after`: under the discount field (checkout steps: Plus). */
export interface ReductionsApi extends StandardApi {
  applyDiscountCodeChange(change: {
    type: "addDiscountCode" | "removeDiscountCode";
    code: string;
  }): Promise<DiscountCodeChangeResult>;
}

/** `purchase.thank-you.block.render`: the Thank you page, every plan. */
export interface ThankYouApi extends StandardApi {
  orderConfirmation: Signal<{ order: { id: string }; number?: string; isFirstOrder: boolean }>;
}

/** The Polaris web components this extension renders (a typo is a type error, not a blank box). */
export type Tag = "s-stack" | "s-text" | "s-button" | "s-badge" | "s-banner";

/**
 * What each element accepts. Loose in this file; exact (names and values) when checked against
 * the official declarations, whose element interfaces are keyed by tag in HTMLElementTagNameMap.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export type ElementProps<T extends Tag> = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** The `shopify` global, typed for the target the calling module is registered for. */
export function shopifyApi<Api>(): Api {
  return (globalThis as unknown as { shopify: Api }).shopify;
}
