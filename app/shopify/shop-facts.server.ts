// Admin GraphQL: the shop's own facts (name, currency, time zone).
import { z } from "zod";

export type AdminGraphql = {
  graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;
};

const SHOP_QUERY = `#graphql
  query RegularsShop {
    shop { name currencyCode ianaTimezone }
  }`;

const shopResponse = z.object({
  data: z.object({
    shop: z.object({ name: z.string(), currencyCode: z.string(), ianaTimezone: z.string() }),
  }),
});

export async function fetchShopFacts(admin: AdminGraphql) {
  const response = await admin.graphql(SHOP_QUERY);
  const { data } = shopResponse.parse(await response.json());
  return { name: data.shop.name, currency: data.shop.currencyCode, timezone: data.shop.ianaTimezone };
}
