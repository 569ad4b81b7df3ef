// Calls to the Regulars app, authenticated with the session token (a JWT Shopify signs with the
// app's secret; the app takes the shop from `dest` and the signed-in customer from `sub`).
import { APP_URL } from "./config";

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    path: string,
  ) {
    super(`Regulars ${path}: HTTP ${status}${code ? ` (${code})` : ""}`);
  }
}

/** GET, or POST with a JSON body when one is given. */
export async function callApp<T>(sessionToken: { get(): Promise<string> }, path: string, body?: unknown): Promise<T> {
  const token = await sessionToken.get();
  const response = await fetch(`${APP_URL}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const error = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new AppError(response.status, error?.error ?? null, path);
  }
  return (await response.json()) as T;
}

/** A fresh key per redemption attempt: a retried request with it can never spend twice. */
export function newIdempotencyKey(): string {
  return `ext-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Subtotal after cart-level discounts, as the decimal string the app's earning rule takes. */
export function subtotalAfterDiscounts(
  subtotal: { amount: number },
  discounts: Array<{ discountedAmount: { amount: number } }>,
): string {
  const off = discounts.reduce((sum, d) => sum + d.discountedAmount.amount, 0);
  return Math.max(0, subtotal.amount - off).toFixed(2);
}
