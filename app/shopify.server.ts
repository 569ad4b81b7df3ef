// Shopify's libraries, configured once: `@shopify/shopify-app-remix` for admin, app proxy, checkout
// and customer-account authentication and Admin API clients, and its `@shopify/shopify-api` core
// for what the Remix layer does not expose (webhook verification without a session, converting
// an old non-expiring offline token). It imports nothing of the domain: what happens after an
// install is registered by the app at startup (`onAfterAuth`, called in entry.server.tsx).
import "@shopify/shopify-app-remix/adapters/node";
import { shopifyApi, type Session } from "@shopify/shopify-api";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { isOutsideAdminRequest, outsideAdminResponse } from "./admin/outside-admin";
import { demoSignInRedirect } from "./demo/demo.server";
import { config as appConfig, type Config } from "./config.server";
import { db } from "./db.server";
import { log } from "./log.server";
import { shopifyEmulatorReady } from "./shopify/emulator.server";
import { CachedSessionStorage } from "./shopify/session-cache.server";
import type { AdminGraphql } from "./shopify/shop-facts.server";
import { verifyWebhookDelivery, type WebhookVerdict } from "./shopify/webhook-hmac.server";

/** The Admin API version every call, webhook subscription and extension uses (docs/decisions/0013-shopify-platform.md). */
export const API_VERSION = ApiVersion.October26;

/** The libraries' log lines, as our JSON lines (severity: 0 error, 1 warning, 2 info, 3 debug). */
const libraryLogger = {
  log: (severity: number, message: string) => {
    if (severity <= 0) log.error("shopify_library", { message });
    else if (severity === 1) log.warn("shopify_library", { message });
    else log.info("shopify_library", { message });
  },
};

/** A shop domain other than *.myshopify.com, as the library's domain check wants it. */
function customDomains(config: Config): { domainTransformations?: { match: RegExp; transform: string }[] } {
  const custom = config.SHOP_CUSTOM_DOMAIN;
  if (!custom) return {};
  const escaped = custom.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return { domainTransformations: [{ match: new RegExp(`^(${escaped})$`), transform: "$1" }] };
}

/** What both library layers are configured with: the app's credentials, version and scopes. */
function shared() {
  const config = appConfig();
  return {
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: API_VERSION,
    scopes: config.SCOPES.split(","),
    logger: libraryLogger,
    ...customDomains(config),
  };
}

type AfterAuth = (shop: string, admin: AdminGraphql) => Promise<void>;
let afterAuth: AfterAuth | null = null;

/** What runs after each admin token exchange (install, reinstall, token renewal): the app's to say. */
export function onAfterAuth(hook: AfterAuth) {
  afterAuth = hook;
}

function createApp(sessionStorage: CachedSessionStorage) {
  return shopifyApp({
    ...shared(),
    appUrl: appConfig().SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage,
    distribution: AppDistribution.AppStore,
    // Offline tokens that expire after an hour and are refreshed with a 90-day refresh token:
    // Shopify refuses non-expiring ones for public apps from 2027-01-01.
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        await afterAuth?.(session.shop, admin);
      },
    },
  });
}

function createApi() {
  const url = new URL(appConfig().SHOPIFY_APP_URL);
  return shopifyApi({
    ...shared(),
    hostName: url.host,
    hostScheme: url.protocol === "http:" ? "http" : "https",
    isEmbeddedApp: true,
  });
}

type App = ReturnType<typeof createApp>;
let app: App | undefined;
let api: ReturnType<typeof createApi> | undefined;

/** Built on first use, so importing this module never needs the environment or the DB. */
function shopify(): App {
  app ??= createApp(new CachedSessionStorage(new PrismaSessionStorage(db)));
  return app;
}
function core() {
  api ??= createApi();
  return api;
}

export const authenticate = {
  /** The library's admin authentication, after turning away /app requests that never came from the admin. */
  admin: async (request: Request) => {
    // Demo mode only (never in production): a page opened without the admin's token signs in again.
    const demo = demoSignInRedirect(request);
    if (demo) throw demo;
    if (isOutsideAdminRequest(request)) throw outsideAdminResponse();
    return shopify().authenticate.admin(request);
  },
  public: {
    appProxy: (request: Request) => shopify().authenticate.public.appProxy(request),
    checkout: (request: Request) => shopify().authenticate.public.checkout(request),
    customerAccount: (request: Request) => shopify().authenticate.public.customerAccount(request),
  },
};

/**
 * A webhook's HMAC and headers, checked with the app's secret: the library's `webhooks.validate`
 * verdict, computed with Node's crypto and a key prepared once (ADR 0035). Not
 * `authenticate.webhook`: that loads (and may refresh) the shop's offline session on every
 * delivery, which webhooks do not need, and answers 500 for a shop whose refresh fails after it
 * uninstalled (Shopify/shopify-app-js#3360) — Shopify would retry app/uninstalled for days.
 */
export function verifyWebhook(request: Request, rawBody: string): WebhookVerdict {
  return verifyWebhookDelivery(request.headers, rawBody, appConfig().SHOPIFY_API_SECRET);
}

// One conversion or refresh at a time per shop in this process: two background jobs starting
// together must not each spend the shop's refresh token (the second would fail).
const inFlight = new Map<string, Promise<unknown>>();

function once<T>(key: string, work: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = work().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

/**
 * A shop installed before offline tokens expired holds a token without a refresh token. Shopify
 * converts it once (token exchange with `expiring=1`); the old token stops working, the new pair
 * is stored. Later calls then refresh through the library as usual.
 */
async function upgradeNonExpiringToken(shop: string): Promise<void> {
  const storage = shopify().sessionStorage;
  const id = core().session.getOfflineId(shop);
  const session = await storage.loadSession(id);
  if (!session || session.refreshToken || session.expires) return;
  await once(`upgrade:${shop}`, async () => {
    const fresh = await storage.loadSession(id);
    if (!fresh || fresh.refreshToken || fresh.expires) return;
    const { session: upgraded } = await core().auth.migrateToExpiringToken({
      shop,
      nonExpiringOfflineAccessToken: fresh.accessToken!,
    });
    await storage.storeSession(upgraded as Session);
    log.info("shopify.offline_token_upgraded", { shop });
  });
}

export const unauthenticated = {
  /**
   * The shop's Admin API client for background work. The library refreshes an expired offline
   * token first (and stores the new one); concurrent callers in this process share that refresh.
   */
  admin: async (shop: string) => {
    await shopifyEmulatorReady();
    await upgradeNonExpiringToken(shop);
    return once(`admin:${shop}`, () => shopify().unauthenticated.admin(shop));
  },
};
export const login = (request: Request) => shopify().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) =>
  shopify().addDocumentResponseHeaders(request, headers);
export const sessionStorage = () => shopify().sessionStorage;
