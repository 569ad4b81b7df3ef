// Emulator mode: Shopify's Admin API answered inside this process by msw (app/shopify/emulator/),
// for local development, the storefront preview and the integration tests, where Shopify is out of reach.
//
// The rule: on only when SHOPIFY_EMULATOR=1. A production start (NODE_ENV=production, which
// `npm start` sets) refuses to run with it unless REGULARS_ALLOW_DEV_TOOLS=1 is set as well — the
// test harness does that on purpose, an operator never should — so a stray variable cannot make
// a real shop's redemptions talk to a fake Shopify. The process exits rather than run half-faked.
// Only `https://<shop>/admin/api/*/graphql.json` and the OAuth token endpoint
// `https://<shop>/admin/oauth/access_token` are answered; every other request goes out as usual.
import { log } from "../log.server";
import { config } from "../config.server";

export function emulatorEnabled(): boolean {
  const { SHOPIFY_EMULATOR, NODE_ENV, REGULARS_ALLOW_DEV_TOOLS } = config();
  if (!SHOPIFY_EMULATOR) return false;
  if (NODE_ENV === "production" && !REGULARS_ALLOW_DEV_TOOLS) {
    log.error("shopify_emulator.refused", {
      message:
        "SHOPIFY_EMULATOR=1 in a production start: refusing to fake Shopify (set REGULARS_ALLOW_DEV_TOOLS=1 only in tests)",
    });
    process.exit(78); // EX_CONFIG
  }
  return true;
}

let ready: Promise<void> | undefined;

/** Starts the emulator once if emulator mode is on; resolves at once otherwise. */
export function shopifyEmulatorReady(): Promise<void> {
  ready ??= emulatorEnabled() ? start() : Promise.resolve();
  return ready;
}

async function start() {
  const [msw, { setupServer }, { adminGraphqlHandlers }, { oauthHandlers, tokenBook }, runtime] = await Promise.all([
    import("msw"),
    import("msw/node"),
    import("./emulator/admin-graphql"),
    import("./emulator/oauth"),
    import("@shopify/shopify-api/runtime"),
  ]);
  const { SHOPIFY_EMULATOR_DIR, SHOPIFY_EMULATOR_FAULT, SHOPIFY_API_KEY, SHOPIFY_API_SECRET } = config();
  const book = tokenBook(SHOPIFY_EMULATOR_DIR);
  const server = setupServer(
    ...adminGraphqlHandlers(msw, { dir: SHOPIFY_EMULATOR_DIR ?? null, fault: SHOPIFY_EMULATOR_FAULT, book }),
    ...oauthHandlers(msw, book, { apiKey: SHOPIFY_API_KEY, apiSecret: SHOPIFY_API_SECRET }),
  );
  server.listen({ onUnhandledRequest: "bypass" });
  // The Shopify library captured `globalThis.fetch` when it was imported, before msw wrapped it:
  // point it at the wrapped one (late-bound, so it follows msw if msw is ever restarted).
  runtime.setAbstractFetchFunc(((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)) as never);
  log.warn("shopify_emulator.on", { message: "Shopify Admin API answered by the in-process emulator (SHOPIFY_EMULATOR=1)" });
}
