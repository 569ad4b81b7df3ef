// Order bonuses (docs/loyalty-rules.md): a first-order bonus and an every-Nth-order bonus, paid in
// the transaction that records the paid order and earns its points, and taken back when that
// order is cancelled or refunded in full.
//
// An order's position is its place among the customer's orders that count — with this customer,
// not a test, not cancelled, not refunded in full — by processing time (then id). Orders a history import brought in
// count too, so a shopper who bought before the app was installed gets no first-order bonus.
//
// Keys are per customer and position, not per order: `customer:<id>:first-order` and
// `customer:<id>:nth-order:<n>`. So a bonus is paid once however the orders arrive (late, twice,
// out of order), and a bonus taken back with its order is not paid again to the order that moves
// into its place: cancelling and re-ordering cannot farm it.
import type { Tx } from "../db.server";
import { query } from "../db/sql.server";
import type { NewLedgerEntry } from "./ledger.server";
import type { Program } from "./program";
import { ordinal } from "./earning";

export type PaidOrder = {
  orderId: number;
  shopifyId: string;
  name: string | null;
  customerId: number;
  customerShopifyId: string;
};

/** The bonuses an order at `position` earns under `program` (pure: the rule table's subject). */
export function bonusesAt(
  position: number,
  program: Program,
  order: Pick<PaidOrder, "shopifyId" | "name" | "customerShopifyId">,
  shop: string,
) {
  const label = order.name ?? order.shopifyId;
  const rows: Omit<NewLedgerEntry, "customerId" | "orderId">[] = [];
  if (position === 1 && program.firstOrderBonusEnabled && program.firstOrderBonusPoints > 0) {
    rows.push({
      shop,
      delta: program.firstOrderBonusPoints,
      kind: "bonus",
      reason: `First-order bonus (order ${label})`,
      idempotencyKey: `customer:${order.customerShopifyId}:first-order`,
    });
  }
  const every = program.nthOrderBonusEvery;
  if (program.nthOrderBonusEnabled && program.nthOrderBonusPoints > 0 && every >= 2 && position > 0 && position % every === 0) {
    rows.push({
      shop,
      delta: program.nthOrderBonusPoints,
      kind: "bonus",
      reason: `${ordinal(position)}-order bonus (order ${label})`,
      idempotencyKey: `customer:${order.customerShopifyId}:nth-order:${position}`,
    });
  }
  return rows;
}

/** The ledger rows of the bonuses these just-recorded orders earn (none when both bonuses are off). */
export async function orderBonuses(tx: Tx, shop: string, program: Program, orders: PaidOrder[]): Promise<NewLedgerEntry[]> {
  if (!program.firstOrderBonusEnabled && !program.nthOrderBonusEnabled) return [];
  if (orders.length === 0) return [];
  const positions = await orderPositions(
    tx,
    orders.map((o) => o.orderId),
  );
  return orders.flatMap((o) => {
    const position = positions.get(o.orderId);
    if (!position) return []; // test or cancelled: not an order that counts
    return bonusesAt(position, program, o, shop).map((row) => ({ ...row, customerId: o.customerId, orderId: o.orderId }));
  });
}

/** Each counting order's place among its customer's counting orders (1 = first). */
async function orderPositions(tx: Tx, orderIds: number[]): Promise<Map<number, number>> {
  const rows = await query<{ id: number; position: unknown }>(
    tx,
    `SELECT o."id",
       (SELECT COUNT(*) FROM "Order" p
         WHERE p."shop" = o."shop" AND p."customerId" = o."customerId" AND NOT p."test" AND p."cancelledAt" IS NULL
           AND (p."refundedSubtotalCents" = 0 OR p."refundedSubtotalCents" < p."subtotalCents")
           AND (p."processedAt" < o."processedAt" OR (p."processedAt" = o."processedAt" AND p."id" <= o."id"))) AS "position"
     FROM "Order" o
     WHERE o."id" IN (${orderIds.map(() => "?").join(", ")}) AND o."customerId" IS NOT NULL AND NOT o."test" AND o."cancelledAt" IS NULL`,
    orderIds,
  );
  return new Map(rows.map((r) => [Number(r.id), Number(r.position)]));
}

/** A bonus row's take-back key; these rows are not clawbacks of earned points. */
export const takebackKey = (bonusKey: string) => `${bonusKey}:takeback`;
export const isTakeback = (key: string) => key.endsWith(":takeback");
