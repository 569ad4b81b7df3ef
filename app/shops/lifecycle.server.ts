// A shop's lifecycle in Regulars: installed, uninstalled, redacted.
import { requestBackfill } from "../backfill/jobs.server";
import { db } from "../db.server";
import { log } from "../log.server";
import { config } from "../config.server";
import { ensureLoyaltyDefinitions } from "../shopify/metafields.server";
import type { AdminGraphql as BudgetedAdmin } from "../shopify/graphql-budget.server";
import { fetchShopFacts, type AdminGraphql } from "../shopify/shop-facts.server";

/** After OAuth: remember the shop and give it the default program (docs/loyalty-rules.md). */
export async function onShopInstalled(domain: string, admin: AdminGraphql) {
  const facts = await fetchShopFacts(admin).catch((error: unknown) => {
    log.warn("shop.facts_unavailable", { shop: domain, error: String(error) });
    return {};
  });
  await db.shop.upsert({
    where: { domain },
    create: { domain, ...facts },
    update: { ...facts, uninstalledAt: null },
  });
  await db.programSettings.upsert({ where: { shop: domain }, create: { shop: domain }, update: {} });
  await requestBackfill(domain); // the primary's background loop imports the shop's history
  // The `$app:loyalty` customer metafields, readable by the storefront (ADR 0032). Idempotent; if
  // Shopify fails now, the metafield sync creates them before its first write.
  await ensureLoyaltyDefinitions(admin as BudgetedAdmin, config().SHOPIFY_ADMIN_TIMEOUT_MS).catch((error: unknown) =>
    log.warn("shop.metafield_definitions_failed", { shop: domain, error: String(error) }),
  );
  log.info("shop.installed", { shop: domain });
}
