// What the metafields and Flow emulations share: the fault file, the log files and Shopify's
// cost bucket (a leaky bucket per shop: 2000 points, refilled at 100 a second, as on the standard plan).
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Faults for the metafield and Flow operations, read from `<dir>/faults.json` on every request
 * (keys `metafields` and `flow`, next to the discounts' fault):
 * - `throttled`: always THROTTLED; `throttledOnce`: each shop's first call of each operation under the fault is THROTTLED
 * - `userErrors`: Shopify refuses the first element (metafields) or the trigger (Flow)
 * - `hang`: never answers; `serverError`: HTTP 500
 */
export type SyncFault = "throttled" | "throttledOnce" | "userErrors" | "hang" | "serverError";
export type SyncFaults = { metafields?: SyncFault | null; flow?: SyncFault | null };

export type SyncEmulatorOptions = { dir?: string | null };

export function syncFaults(options: SyncEmulatorOptions): SyncFaults {
  if (!options.dir) return {};
  try {
    return JSON.parse(readFileSync(path.join(options.dir, "faults.json"), "utf8")) as SyncFaults;
  } catch {
    return {};
  }
}

export function appendLog(options: SyncEmulatorOptions, file: string, entry: unknown) {
  if (!options.dir) return;
  mkdirSync(options.dir, { recursive: true });
  appendFileSync(path.join(options.dir, file), `${JSON.stringify(entry)}\n`);
}

const MAXIMUM = 2000;
const RESTORE_RATE = 100;

/** Shopify's per-shop cost bucket, as `extensions.cost` reports it. */
export function costBucket() {
  const buckets = new Map<string, { available: number; at: number }>();
  const level = (shop: string) => {
    const now = Date.now();
    const b = buckets.get(shop) ?? { available: MAXIMUM, at: now };
    b.available = Math.min(MAXIMUM, b.available + ((now - b.at) / 1000) * RESTORE_RATE);
    b.at = now;
    buckets.set(shop, b);
    return b;
  };
  return {
    /** Spends `cost` if the bucket has it; the `extensions` to answer with either way. */
    spend(shop: string, cost: number, forceThrottle = false) {
      const b = level(shop);
      const throttled = forceThrottle || b.available < cost;
      if (!throttled) b.available -= cost;
      return {
        throttled,
        extensions: {
          cost: {
            requestedQueryCost: cost,
            actualQueryCost: throttled ? null : cost,
            throttleStatus: {
              maximumAvailable: MAXIMUM,
              currentlyAvailable: forceThrottle ? 0 : Math.floor(b.available),
              restoreRate: RESTORE_RATE,
            },
          },
        },
      };
    },
  };
}

export const THROTTLED_ERRORS = [
  { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
];
