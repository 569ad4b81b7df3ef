// Reading the ledger back in tests, through the app's own Prisma client.
import { db } from "../../app/db.server";
import { SHOP } from "./shopify";
import { waitFor } from "./wait";

export { waitFor };

export async function customerOf(shopifyId: number | string, shop = SHOP) {
  return db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: String(shopifyId) } } });
}

/** The balance as the ledger sums it, after checking the cached balance agrees. */
export async function pointsOf(shopifyId: number | string, shop = SHOP): Promise<number> {
  const customer = await customerOf(shopifyId, shop);
  if (!customer) return 0;
  const { _sum } = await db.ledgerEntry.aggregate({ where: { customerId: customer.id }, _sum: { delta: true } });
  const sum = _sum.delta ?? 0;
  if (sum !== customer.pointsBalance) {
    throw new Error(`cached balance ${customer.pointsBalance} differs from ledger sum ${sum}`);
  }
  return sum;
}

export async function entriesOf(shopifyId: number | string, shop = SHOP) {
  const customer = await customerOf(shopifyId, shop);
  if (!customer) return [];
  return db.ledgerEntry.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
}

/** Waits until the server has processed every recorded webhook. */
export async function inboxDrained(timeoutMs = 15_000) {
  const drained = async () => (await db.webhookEvent.count({ where: { processedAt: null } })) === 0;
  await waitFor(drained, { timeoutMs, what: "the inbox to drain" }).catch(async (error) => {
    const stuck = await db.webhookEvent.findMany({ where: { processedAt: null }, take: 3 });
    throw new Error(`inbox not drained (${error.message}), e.g. ${JSON.stringify(stuck)}`);
  });
}
