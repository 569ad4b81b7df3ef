// Prints a customer's points and ledger, for operators and the README's curl walk-through.
//   npx tsx scripts/points.ts <shop-domain> <shopify-customer-id>
import { db } from "../app/db.server";

const [shop, customerId] = process.argv.slice(2);
if (!shop || !customerId) {
  console.error("usage: npx tsx scripts/points.ts <shop-domain> <shopify-customer-id>");
  process.exit(2);
}
const customer = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: customerId } } });
if (!customer) {
  console.error(`no customer ${customerId} in ${shop} yet`);
  process.exit(1);
}
const ledger = await db.ledgerEntry.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
console.log(`${shop} customer ${customerId}: ${customer.pointsBalance} points`);
for (const entry of ledger) {
  console.log(`  ${entry.createdAt.toISOString()}  ${String(entry.delta).padStart(6)}  ${entry.kind.padEnd(7)} ${entry.reason}`);
}
await db.$disconnect();
