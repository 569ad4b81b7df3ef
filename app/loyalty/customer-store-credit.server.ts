// A customer's Shopify store credit as the admin's customer page shows it: read from Shopify each
// time (Shopify holds the balance; shoppers spend it at checkout without us). Shopify unreachable →
// null, and the page says so instead of failing.
import { log } from "../log.server";
import { adminFor } from "../shopify/discounts.server";
import { storeCreditBalances, type StoreCreditBalance } from "../shopify/store-credit.server";

/** Short: the page waits for it. */
const PAGE_TIMEOUT_MS = 3000;

export async function customerStoreCredit(shop: string, customerShopifyId: string): Promise<StoreCreditBalance[] | null> {
  try {
    return await storeCreditBalances(await adminFor(shop), customerShopifyId, { timeoutMs: PAGE_TIMEOUT_MS, throttleRetries: 1 });
  } catch (error) {
    log.warn("store_credit.balance_unavailable", { shop, error: String(error) });
    return null;
  }
}
