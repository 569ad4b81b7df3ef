import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { isOutsideAdminRequest, outsideAdminResponse } from "./admin/outside-admin";
import { config as appConfig } from "./config.server";
import { db } from "./db.server";
import { CachedSessionStorage } from "./shopify/session-cache.server";
import { onShopInstalled } from "./shop.server";

export const API_VERSION = ApiVersion.October25;

function createApp(sessionStorage: CachedSessionStorage) {
  const config = appConfig();
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: API_VERSION,
    scopes: config.SCOPES.split(","),
    appUrl: config.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage,
    distribution: AppDistribution.AppStore,
    future: { unstable_newEmbeddedAuthStrategy: true },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        await onShopInstalled(session.shop, admin);
      },
    },
    ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

type App = ReturnType<typeof createApp>;
let app: App | undefined;

/** Built on first use, so importing this module never needs the environment or the DB. */
function shopify(): App {
  app ??= createApp(new CachedSessionStorage(new PrismaSessionStorage(db)));
  return app;
}

export const authenticate = {
  /** The library's admin authentication, after turning away /app requests that never came from the admin. */
  admin: async (request: Request) => {
    if (isOutsideAdminRequest(request)) throw outsideAdminResponse();
    return shopify().authenticate.admin(request);
  },
  webhook: (request: Request) => shopify().authenticate.webhook(request),
  public: {
    appProxy: (request: Request) => shopify().authenticate.public.appProxy(request),
    checkout: (request: Request) => shopify().authenticate.public.checkout(request),
    customerAccount: (request: Request) => shopify().authenticate.public.customerAccount(request),
  },
};
export const unauthenticated = {
  admin: (shop: string) => shopify().unauthenticated.admin(shop),
};
export const login = (request: Request) => shopify().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) =>
  shopify().addDocumentResponseHeaders(request, headers);
export const sessionStorage = () => shopify().sessionStorage;
