// Manual points adjustments by staff, with an audit trail.
//
// Adjustments are ledger rows of kind `adjust` appended through `appendEntry`, keyed by a nonce the
// form carries, so a double submit adjusts once; the staff user who made one is kept in `actor`.
import { db } from "../db.server";
import { appendEntry, lockedBalance } from "./ledger.server";
import { loadProgram } from "./program.server";

/** An adjustment larger than this is a typo, not a goodwill gesture. */
export const MAX_ADJUSTMENT = 1_000_000;
export const MAX_REASON_LENGTH = 200;

export class AdjustmentError extends Error {
  constructor(
    message: string,
    readonly field: "delta" | "reason" | "nonce" | null = null,
  ) {
    super(message);
    this.name = "AdjustmentError";
  }
}

export class MemberNotFound extends Error {}

export interface AdjustmentInput {
  delta: number;
  reason: string;
  /** From the form: the same nonce twice is the same adjustment. */
  nonce: string;
}

/** Checks what the form sent; throws AdjustmentError naming the field. */
export function parseAdjustment(form: { delta?: unknown; reason?: unknown; nonce?: unknown }): AdjustmentInput {
  const rawDelta = String(form.delta ?? "")
    .trim()
    .replace(/^\+/, "");
  if (!/^-?\d+$/.test(rawDelta)) throw new AdjustmentError("Enter a whole number of points, negative to remove points.", "delta");
  const delta = Number(rawDelta);
  if (delta === 0) throw new AdjustmentError("Enter a number of points other than zero.", "delta");
  if (Math.abs(delta) > MAX_ADJUSTMENT)
    throw new AdjustmentError(`Adjust by at most ${MAX_ADJUSTMENT.toLocaleString("en")} points at a time.`, "delta");
  const reason = String(form.reason ?? "")
    .trim()
    .replace(/\s+/g, " ");
  if (!reason) throw new AdjustmentError("Give a reason: the customer sees it in their points history.", "reason");
  if (reason.length > MAX_REASON_LENGTH)
    throw new AdjustmentError(`Keep the reason under ${MAX_REASON_LENGTH} characters.`, "reason");
  const nonce = String(form.nonce ?? "");
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(nonce))
    throw new AdjustmentError("The form expired; reload the page and try again.", "nonce");
  return { delta, reason, nonce };
}

export interface AdjustmentResult {
  /** False when this nonce was already used: the earlier adjustment stands, nothing new was added. */
  applied: boolean;
  balance: number;
  delta: number;
}

/**
 * Adds `delta` points (negative removes) to the member's balance as a ledger row of kind `adjust`.
 * The same nonce never adjusts twice. Unless the program allows negative balances, a removal that
 * would take the balance below zero is refused (AdjustmentError), with the balance read under the
 * customer's row lock so two concurrent removals cannot both pass the check.
 */
export async function adjustPoints(
  shop: string,
  shopifyId: string,
  input: AdjustmentInput,
  actor: string | null,
): Promise<AdjustmentResult> {
  const idempotencyKey = `admin:adjust:${input.nonce}`;
  return db.$transaction(async (tx) => {
    const customer = await tx.customer.findUnique({
      where: { shop_shopifyId: { shop, shopifyId } },
      select: { id: true, redactedAt: true },
    });
    if (!customer) throw new MemberNotFound(`no customer ${shopifyId} in ${shop}`);
    const balance = await lockedBalance(tx, customer.id);
    const earlier = await tx.ledgerEntry.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey } } });
    if (earlier) return { applied: false, balance, delta: earlier.delta };
    if (customer.redactedAt)
      throw new AdjustmentError("This customer's data was erased at their request; their points can no longer be adjusted.");
    const program = await loadProgram(tx, shop);
    if (input.delta < 0 && !program.allowNegativeBalance && balance + input.delta < 0) {
      throw new AdjustmentError(
        `The balance is ${balance} points: removing ${-input.delta} would take it below zero, and the program does not allow negative balances. Remove at most ${balance}.`,
        "delta",
      );
    }
    const appended = await appendEntry(tx, {
      shop,
      customerId: customer.id,
      delta: input.delta,
      kind: "adjust",
      reason: input.reason,
      idempotencyKey,
      actor,
    });
    if (!appended) return { applied: false, balance, delta: input.delta };
    return { applied: true, balance: balance + input.delta, delta: input.delta };
  });
}

/**
 * The staff member behind an admin request, from the session token's `sub` (the Shopify user id):
 * their name when an online session for them is stored, else "Staff user <id>".
 */
export async function staffActor(shop: string, userId: string | number | null | undefined): Promise<string | null> {
  if (userId === null || userId === undefined || !/^\d+$/.test(String(userId))) return null;
  const session = await db.session.findFirst({
    where: { shop, userId: BigInt(String(userId)) },
    select: { firstName: true, lastName: true, email: true },
  });
  const name = [session?.firstName, session?.lastName].filter(Boolean).join(" ");
  if (name) return session?.email ? `${name} <${session.email}>` : name;
  if (session?.email) return session.email;
  return `Staff user ${userId}`;
}
