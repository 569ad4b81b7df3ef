// The emulator's metafield and Flow operations (ADR 0032), registered with the Admin GraphQL
// handler in admin-graphql.ts. Both meter against one cost bucket per shop, as Shopify does.
import type * as Msw from "msw";
import { flowApi } from "./flow";
import { metafieldsApi } from "./metafields";
import { costBucket, type SyncEmulatorOptions } from "./sync-common";

export type { SyncFault, SyncFaults } from "./sync-common";

export function shopifySyncApis(msw: typeof Msw, options: SyncEmulatorOptions) {
  const bucket = costBucket();
  const apis = [metafieldsApi(msw, options, bucket), flowApi(msw, options, bucket)];
  return {
    async answer(shop: string, query: string, variables: Record<string, unknown>) {
      for (const api of apis) {
        const answer = await api.answer(shop, query, variables);
        if (answer) return answer;
      }
      return undefined;
    },
  };
}
