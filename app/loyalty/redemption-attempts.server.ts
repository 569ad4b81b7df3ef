// A simple per-customer limit on redemption attempts: a sliding window in this process's memory.
// It stops a script or a stuck button from hammering Shopify's discount API; the points
// themselves are protected by the database, not by this. With several processes the limit is
// per process (ADR 0019); REGULARS_REDEEM_LIMIT sets attempts per minute (0 turns it off).
import { config } from "../config.server";
const WINDOW_MS = 60_000;
const MAX_KEYS = 50_000;

const hits = new Map<string, number[]>();

export function limitPerMinute(): number {
  return config().REGULARS_REDEEM_LIMIT;
}

/** Records an attempt; returns the seconds to wait when over the limit, else 0. */
export function tooManyAttempts(key: string, now = Date.now()): number {
  const limit = limitPerMinute();
  if (!(limit > 0)) return 0;
  const recent = (hits.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  if (recent.length >= limit) {
    hits.set(key, recent);
    return Math.max(1, Math.ceil((recent[0] + WINDOW_MS - now) / 1000));
  }
  recent.push(now);
  hits.delete(key); // re-insert: the map stays in least-recently-used order
  hits.set(key, recent);
  if (hits.size > MAX_KEYS) hits.delete(hits.keys().next().value!);
  return 0;
}
