// How a redemption attempt ends when it does not end issued: the failures every redeeming surface
// answers, and the one way points come back (shared by codes and store credit).
import { db } from "../db.server";
import { execute } from "../db/sql.server";
import { appendEntry } from "./ledger.server";

export const REFUSED_REASON = "Points returned: Shopify refused the code";
export const UNAVAILABLE_REASON = "Points returned: Shopify was unavailable";
export const EXPIRED_REASON = "Points returned: reward code expired unused";
export const CREDIT_REFUSED_REASON = "Points returned: Shopify refused the store credit";

export type RedeemFailure = {
  ok: false;
  error: "unknown_reward" | "not_enough_points" | "shopify_unavailable" | "shopify_refused" | "in_progress";
  message: string;
  points: number;
};

export async function balanceOf(customerId: number): Promise<number> {
  const row = await db.customer.findUnique({ where: { id: customerId }, select: { pointsBalance: true } });
  return row?.pointsBalance ?? 0;
}

/**
 * Fails a pending attempt: marks it failed, retires its key (a retry is a new attempt) and
 * appends the compensating entry — together, and only if it was still pending.
 */
export async function giveBack(redemptionId: number, reason: string, error: string): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      const row = await tx.redemption.findUniqueOrThrow({ where: { id: redemptionId } });
      const changed = await execute(
        tx,
        `UPDATE "Redemption" SET "status" = 'failed', "error" = ?, "idempotencyKey" = ?, "updatedAt" = ?
       WHERE "id" = ? AND "status" = 'pending'`,
        [error.slice(0, 500), `${row.idempotencyKey}#failed:${row.id}`, new Date(), redemptionId],
      );
      if (changed === 0) return false;
      await appendEntry(tx, {
        shop: row.shop,
        customerId: row.customerId,
        delta: row.pointsSpent,
        kind: "redeem",
        reason,
        redemptionId: row.id,
        idempotencyKey: `redemption:${row.id}:refund`,
      });
      return true;
    },
    { timeout: 15_000, maxWait: 15_000 },
  );
}
