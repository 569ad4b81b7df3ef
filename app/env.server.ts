// Environment of DESIGN §3, validated once. Missing Shopify credentials fall back to
// development values so a fresh clone serves at once; the log says so loudly.
import { z } from "zod";
import { log } from "./log.server";

const DEV_DEFAULTS = {
  SHOPIFY_API_KEY: "regulars-dev-api-key",
  SHOPIFY_API_SECRET: "regulars-dev-secret",
};

const schema = z.object({
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: z.string().url(),
  SCOPES: z.string().min(1),
  PORT: z.coerce.number().int().positive(),
});

export type Env = z.infer<typeof schema> & { usingDevCredentials: boolean };

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const port = process.env.PORT || "3000";
  const usingDevCredentials = !process.env.SHOPIFY_API_KEY || !process.env.SHOPIFY_API_SECRET;
  const parsed = schema.safeParse({
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY || DEV_DEFAULTS.SHOPIFY_API_KEY,
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET || DEV_DEFAULTS.SHOPIFY_API_SECRET,
    SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL || `http://localhost:${port}`,
    SCOPES: process.env.SCOPES || "read_orders,read_all_orders,read_customers,write_customers,write_discounts,write_app_proxy",
    PORT: port,
  });
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  if (usingDevCredentials) {
    log.warn("env.dev_credentials", {
      message: "SHOPIFY_API_KEY/SHOPIFY_API_SECRET not set: using development credentials; set them before connecting a real shop",
    });
  }
  cached = { ...parsed.data, usingDevCredentials };
  return cached;
}
