// Work a server process does besides answering requests.
import { sessionStorage } from "./shopify.server";
import { CachedSessionStorage } from "./shopify/session-cache.server";
import { startProcessor } from "./webhooks/processor.server";

export function startBackgroundWork(): () => void {
  return startProcessor({
    onShopUninstalled: async (shop) => {
      const storage = sessionStorage();
      if (storage instanceof CachedSessionStorage) storage.forgetShop(shop);
    },
  });
}
