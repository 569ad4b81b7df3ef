// Every app-proxy request (the storefront widget) loads the shop's offline session; reading it
// from the DB each time costs more than the rest of the request. Keep recent lookups in memory
// for a short while (ADR 0015; webhooks no longer load sessions, ADR 0025). Writes go through and invalidate, so only another instance's change can be
// seen late, and by at most TTL_MS.
import type { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

const TTL_MS = 30_000;

export class CachedSessionStorage implements SessionStorage {
  private cache = new Map<string, { session: Session | undefined; until: number }>();

  constructor(private readonly inner: SessionStorage) {}

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.session;
    const session = await this.inner.loadSession(id);
    this.cache.set(id, { session, until: Date.now() + TTL_MS });
    return session;
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }
}
