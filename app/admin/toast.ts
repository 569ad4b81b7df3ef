// A short confirmation after a save: App Bridge's toast inside the Shopify admin, a banner where
// App Bridge is not loaded (the demo, a plain browser, tests).
import { useCallback, useState } from "react";

export function useToast() {
  const [banner, setBanner] = useState<string | null>(null);
  const show = useCallback((message: string) => {
    // App Bridge's toast inside the admin; a banner where App Bridge isn't loaded.
    const bridge = (globalThis as { shopify?: { toast?: { show?: (m: string) => void } } }).shopify;
    if (typeof bridge?.toast?.show === "function") bridge.toast.show(message);
    else setBanner(message);
  }, []);
  const dismiss = useCallback(() => setBanner(null), []);
  return { banner, show, dismiss };
}
