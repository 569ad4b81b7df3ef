// Every environment variable Regulars reads, declared once with its default and meaning, and
// validated on first use. The rest of the app reads typed values from `config()`, never
// `process.env`. The README's configuration table lists exactly these (a test keeps them in step).
//
// Development credentials let a fresh clone serve at once; a production start refuses them
// (`assertReadyToServe`, called by the server before it forks), because with a known secret
// anyone can sign webhooks, proxy requests and admin session tokens for every installed shop.
import os from "node:os";
import { z } from "zod";

export const DEV_CREDENTIALS = {
  SHOPIFY_API_KEY: "regulars-dev-api-key",
  SHOPIFY_API_SECRET: "regulars-dev-secret",
} as const;

const DEFAULT_SCOPES =
  "read_orders,read_all_orders,read_customers,write_customers,write_discounts,write_app_proxy,read_themes,write_store_credit_account_transactions,read_store_credit_accounts";

/** "1" turns a switch on; anything else (or nothing) leaves it off. */
const flag = z
  .enum(["", "0", "1"])
  .default("")
  .transform((v) => v === "1");
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const hostname = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * The declaration: name → schema (with its default) and what it means. `describe()` texts are
 * what the README table says; keep them short.
 */
export const SETTINGS = {
  // Shopify
  SHOPIFY_API_KEY: z.string().default("").describe("the app's client id (development value when unset; refused in production)"),
  SHOPIFY_API_SECRET: z
    .string()
    .default("")
    .describe(
      "the app's client secret: verifies webhooks, session tokens and app proxy requests (development value when unset; refused in production)",
    ),
  SHOPIFY_APP_URL: z
    .string()
    .url()
    .optional()
    .describe("the public origin the app is served from (default `http://localhost:$PORT`)"),
  SCOPES: z
    .string()
    .min(1)
    .default(DEFAULT_SCOPES)
    .describe("access scopes, identical to `shopify.app.toml` (default: the toml's list)"),
  SHOP_CUSTOM_DOMAIN: z
    .string()
    .regex(hostname, "a host name such as shop.example.com")
    .optional()
    .describe("a shop domain other than `*.myshopify.com` that requests may name (Shopify's `customShopDomains`)"),
  // Server
  NODE_ENV: z
    .enum(["development", "production", "test"])
    .default("development")
    .describe("`production` (`npm start`) refuses development credentials and dev tools"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe("HTTP port; 0 picks a free one (default 3000)"),
  WEB_CONCURRENCY: positiveInt(os.availableParallelism()).describe("HTTP worker processes (default one per CPU core)"),
  REGULARS_BUILD_DIR: z
    .string()
    .min(1)
    .default("build")
    .describe("where `npm run build` writes and the server reads the Remix build (default `build`)"),
  MAX_BODY_BYTES: positiveInt(2 * 1024 * 1024).describe(
    "largest request body accepted, counted while it streams; past it: 413 (default 2 MiB)",
  ),
  LOG_LEVEL: z.enum(["info", "warn"]).default("info").describe("`warn` drops info lines (default `info`)"),
  // Database
  DATABASE_URL: z
    .string()
    .min(1)
    .default("file:./data/regulars.db")
    .describe("`file:...` → embedded SQLite, `postgres://...` → PostgreSQL (default `file:./data/regulars.db`)"),
  DATABASE_POOL_SIZE: positiveInt(10).describe("PostgreSQL connections per process (default 10)"),
  DATABASE_BUSY_TIMEOUT_MS: positiveInt(10_000).describe(
    "SQLite: how long a write waits for another connection's write lock before failing; a webhook that fails so is answered 503 and Shopify retries it (default 10000)",
  ),
  // Webhook inbox
  WEBHOOK_LEASE_SECONDS: z.coerce
    .number()
    .positive()
    .default(30)
    .describe("how long a crashed processor's claim on an event lasts (default 30)"),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(8).describe(
    "processing attempts before an event is dead and waits for the operator (default 8)",
  ),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce
    .number()
    .positive()
    .default(60)
    .describe("first retry delay; each next one is 3× longer, so 8 attempts span about 18 hours (default 60)"),
  WEBHOOK_PAYLOAD_RETENTION_DAYS: z.coerce
    .number()
    .positive()
    .default(7)
    .describe("days a processed event keeps its body; then only its id and topic remain (default 7)"),
  WEBHOOK_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .positive()
    .default(90)
    .describe("days a processed event's id is kept to recognise redeliveries; then the row goes (default 90)"),
  // Background work and Shopify calls
  REGULARS_EXPIRY_SWEEP_MS: positiveInt(60_000).describe("how often expired reward codes are swept (default 60000)"),
  REGULARS_POINTS_EXPIRY_SWEEP_MS: positiveInt(3_600_000).describe("how often points expiry runs (default 3600000)"),
  REGULARS_RECONCILE_CRON: z
    .string()
    .regex(/^\S+( \S+){4}$/, "five cron fields")
    .default("20 3 * * *")
    .describe("when each shop's last 48 hours of orders are compared with Shopify, cron in UTC (default `20 3 * * *`, daily)"),
  REGULARS_DAILY_RULES_MS: positiveInt(3_600_000).describe(
    "how often the daily loyalty rules are checked: birthday bonuses, tier recomputation, expiry reminders; each acts once a day (default 3600000)",
  ),
  REGULARS_REDEEM_LIMIT: z.coerce
    .number()
    .int()
    .min(0)
    .default(10)
    .describe("redemption attempts per customer per minute, per process; 0 turns the limit off (default 10)"),
  REGULARS_BACKFILL_POLL_MS: positiveInt(5000).describe(
    "how often the history import looks for due work and asks Shopify about a running export (default 5000)",
  ),
  SHOPIFY_ADMIN_TIMEOUT_MS: positiveInt(8000).describe("timeout of one Admin API call (default 8000)"),
  SHOPIFY_ADMIN_BACKOFF_MS: positiveInt(500).describe("first wait after Shopify throttles a call (default 500)"),
  REGULARS_SHOPIFY_SYNC_MS: positiveInt(1000).describe(
    "how often changed members' metafields and pending Flow triggers are sent to Shopify (default 1000)",
  ),
  REGULARS_METAFIELD_DEBOUNCE_MS: positiveInt(2000).describe(
    "how long a member's change waits so a burst of changes is one metafield write (default 2000)",
  ),
  // Development and test tools: off unless set, refused in production unless REGULARS_ALLOW_DEV_TOOLS=1
  SHOPIFY_EMULATOR: flag.describe("`1`: answer Shopify's Admin API in-process (local runs, tests)"),
  SHOPIFY_EMULATOR_DIR: optionalText.describe("where the emulator keeps its state (default: memory)"),
  SHOPIFY_EMULATOR_FAULT: z
    .enum(["", "userErrors", "throttled", "throttledOnce", "hang", "serverError"])
    .default("")
    .transform((v) => v || null)
    .describe("make the emulator fail its discount calls this way (tests)"),
  STOREFRONT_PREVIEW: flag.describe("`1`: serve the local storefront preview at `/preview/storefront`"),
  STOREFRONT_PREVIEW_SHOP: z.string().default("regulars-preview.myshopify.com").describe("the preview's default shop"),
  REGULARS_WIDGET_DIR: z.string().default("extensions/rewards-widget").describe("the theme extension the preview serves"),
  REGULARS_ALLOW_DEV_TOOLS: flag.describe("`1`: allow the emulator and preview under `NODE_ENV=production` (tests only)"),
  // The demo (`npm run demo`): never in a production start, not even with REGULARS_ALLOW_DEV_TOOLS=1
  REGULARS_DEMO: flag.describe(
    "`1`: demo mode, set by `npm run demo`: `/demo/admin` signs anyone in to the demo shop's admin (off under `NODE_ENV=production`)",
  ),
  REGULARS_DEMO_SHOP: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "a *.myshopify.com domain")
    .default("regulars-demo.myshopify.com")
    .describe("the demo's shop"),
  REGULARS_DEMO_DIR: z
    .string()
    .min(1)
    .default("data/demo")
    .describe("where `npm run demo` keeps its database, emulated shop and server log (default `data/demo`)"),
  REGULARS_DEMO_CUSTOMERS: positiveInt(3000).describe("customers in the demo shop's generated 18-month history (default 3000)"),
  REGULARS_DEMO_WEBHOOKS_PER_SECOND: z.coerce
    .number()
    .min(0)
    .max(50)
    .default(3)
    .describe("live orders, refunds and cancellations the demo sends per second; 0: none (default 3)"),
  REGULARS_FAULT_CRASH_BEFORE_COMMIT: flag.describe("`1`: the processor dies before committing (crash-recovery test)"),
  REGULARS_NO_WEBHOOK_FAST_PATH: flag.describe(
    "`1`: webhook POSTs go through Remix's request handler like every other request instead of straight to their route's action (tests comparing the two; diagnosis)",
  ),
} as const;

const schema = z.object(SETTINGS);
type Parsed = z.infer<typeof schema>;
export type Config = Omit<Parsed, "SHOPIFY_APP_URL"> & {
  SHOPIFY_APP_URL: string;
  /** True when the Shopify credentials are the built-in development ones. */
  usingDevCredentials: boolean;
};

/** Parses an environment; throws one error naming every bad variable. */
export function parseConfig(environment: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, environment[name]]));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment: ${problems.join("; ")}`);
  }
  const values = parsed.data;
  const usingDevCredentials =
    isDevCredential("SHOPIFY_API_KEY", values.SHOPIFY_API_KEY) ||
    isDevCredential("SHOPIFY_API_SECRET", values.SHOPIFY_API_SECRET);
  return {
    ...values,
    SHOPIFY_API_KEY: values.SHOPIFY_API_KEY || DEV_CREDENTIALS.SHOPIFY_API_KEY,
    SHOPIFY_API_SECRET: values.SHOPIFY_API_SECRET || DEV_CREDENTIALS.SHOPIFY_API_SECRET,
    SHOPIFY_APP_URL: values.SHOPIFY_APP_URL ?? `http://localhost:${values.PORT}`,
    usingDevCredentials,
  };
}

function isDevCredential(name: keyof typeof DEV_CREDENTIALS, value: string) {
  return value.trim() === "" || value === DEV_CREDENTIALS[name];
}

export class ConfigError extends Error {
  name = "ConfigError";
}

/**
 * What stops a start: under NODE_ENV=production, development (or missing) Shopify credentials.
 * (Dev tools guard themselves: the preview answers 404 and the emulator exits, see their modules.)
 */
export function startProblems(values: Config): string[] {
  if (values.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (values.usingDevCredentials) {
    problems.push(
      "SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set to the app's real credentials under NODE_ENV=production " +
        "(the development values are public: anyone could sign webhooks and session tokens with them)",
    );
  }
  return problems;
}

let cached: Config | undefined;

/** The process's configuration, parsed from `process.env` on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Called by the server before it serves: throws a ConfigError that says what to set. */
export function assertReadyToServe(): Config {
  const values = config();
  const problems = startProblems(values);
  if (problems.length) throw new ConfigError(`Regulars will not start: ${problems.join("; ")}.`);
  return values;
}
