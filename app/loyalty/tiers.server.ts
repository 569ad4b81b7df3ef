// VIP tiers that move (docs/loyalty-rules.md): a member's tier is the highest one their spend over
// the last 365 days reaches, recomputed on each order, refund and cancellation and by a daily job,
// so a tier drops when old spend leaves the window. Every move is a TierChange row; moving up into
// a tier pays its entry reward, at most once per tier in any 365 days (one qualification), so an
// order refunded and placed again cannot farm it.
//
// Safe twice and concurrently: a move locks the member's row (PostgreSQL; SQLite has one writer)
// and compares with the tier stored under that lock, so a second run finds nothing to move; and
// the move's `seq` is unique per member, so two runs that somehow saw the same state cannot both
// record it. The entry reward's ledger key names that `seq`.
import { db, dialect, type Tx } from "../db.server";
import { query } from "../db/sql.server";
import { log } from "../log.server";
import { appendEntry } from "./ledger.server";
import { shareTierMoves } from "./member-sync.server";
import { tierForSpend, type Program } from "./program";
import { loadProgram } from "./program.server";

/** What moved the tier; `import`: the history import placed a member where their past orders put them. */
export type TierReason = "order" | "refund" | "cancel" | "daily" | "import";
export const WINDOW_DAYS = 365;
const DAY_MS = 24 * 3600 * 1000;
const BATCH_SIZE = 500;

/** Spend in the rolling window ending at `now`: subtotals minus refunds of orders that count. */
export async function rollingSpend(
  tx: Tx | typeof db,
  shop: string,
  customerIds: number[],
  now = new Date(),
  excludeOrderIds: number[] = [],
): Promise<Map<number, number>> {
  const rows = await tx.order.groupBy({
    by: ["customerId"],
    where: {
      shop,
      customerId: { in: customerIds },
      id: { notIn: excludeOrderIds },
      test: false,
      cancelledAt: null,
      processedAt: { gt: new Date(now.getTime() - WINDOW_DAYS * DAY_MS) },
    },
    _sum: { subtotalCents: true, refundedSubtotalCents: true },
  });
  return new Map(rows.map((r) => [r.customerId!, (r._sum.subtotalCents ?? 0) - (r._sum.refundedSubtotalCents ?? 0)]));
}

export type TierMove = { customerId: number; from: string | null; to: string | null; entryPoints: number };

/** Brings the members' stored tiers in line with their rolling spend; returns the moves made. */
export async function moveTiers(
  tx: Tx,
  shop: string,
  program: Program,
  customerIds: number[],
  reason: TierReason,
  now = new Date(),
): Promise<TierMove[]> {
  if (!program.tiersEnabled || customerIds.length === 0) return [];
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  // In id order, so concurrent runs queue behind each other instead of deadlocking.
  const lock = dialect() === "postgres" ? " FOR UPDATE" : "";
  const members = await query<{ id: number; shopifyId: string; tier: string | null }>(
    tx,
    `SELECT "id", "shopifyId", "tier" FROM "Customer" WHERE "id" IN (${ids.map(() => "?").join(", ")}) ORDER BY "id"${lock}`,
    ids,
  );
  const spend = await rollingSpend(tx, shop, ids, now);
  const rank = (name: string | null) => (name === null ? -1 : program.tiers.findIndex((t) => t.name === name));
  const moves: TierMove[] = [];
  const shared: Array<{ customerId: number; seq: number; from: string | null; to: string | null }> = [];
  for (const member of members) {
    const id = Number(member.id);
    const target = tierForSpend(program, spend.get(id) ?? 0);
    const to = target?.name ?? null;
    if (to === member.tier) continue;
    const last = await tx.tierChange.findFirst({ where: { customerId: id }, orderBy: { seq: "desc" }, select: { seq: true } });
    const seq = (last?.seq ?? 0) + 1;
    const up = target !== null && rank(to) > rank(member.tier);
    // A tier the history import finds a member already in is not a new qualification: no reward.
    const entry = up && reason !== "import" ? (target.entryRewardPoints ?? 0) : 0;
    const paidRecently =
      entry > 0 &&
      (await tx.tierChange.count({
        where: {
          customerId: id,
          toTier: to,
          entryPoints: { gt: 0 },
          createdAt: { gt: new Date(now.getTime() - WINDOW_DAYS * DAY_MS) },
        },
      })) > 0;
    const entryPoints = paidRecently ? 0 : entry;
    const recorded = await query<{ id: number }>(
      tx,
      `INSERT INTO "TierChange" ("shop", "customerId", "seq", "fromTier", "toTier", "reason", "entryPoints", "createdAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("customerId", "seq") DO NOTHING RETURNING "id"`,
      [shop, id, seq, member.tier, to, reason, entryPoints, now],
    );
    if (recorded.length === 0) continue; // another run recorded this move
    await tx.customer.update({ where: { id }, data: { tier: to } });
    shared.push({ customerId: id, seq, from: member.tier, to });
    if (entryPoints > 0) {
      await appendEntry(tx, {
        shop,
        customerId: id,
        delta: entryPoints,
        kind: "bonus",
        reason: `${to} tier entry reward`,
        idempotencyKey: `customer:${member.shopifyId}:tier-entry:${seq}`,
      });
    }
    moves.push({ customerId: id, from: member.tier, to, entryPoints });
  }
  // Metafields and Flow hear of it after commit (ADR 0032); the history import's placements are no news for Flow.
  await shareTierMoves(tx, shop, shared, reason !== "import");
  return moves;
}

export type TierJobResult = { members: number; moves: number; entryPoints: number };

/**
 * The daily job: every member of every shop with tiers on (or only `shop`), so a tier drops when
 * spend leaves the window even without a new order. Safe to run twice or from several processes.
 */
export async function recomputeTiers(shop: string | undefined, now: Date, batchSize = BATCH_SIZE): Promise<TierJobResult> {
  const programs = await db.programSettings.findMany({
    where: { tiersEnabled: true, ...(shop ? { shop } : {}) },
    select: { shop: true },
  });
  const uninstalled = new Set(
    (
      await db.shop.findMany({
        where: { domain: { in: programs.map((p) => p.shop) }, uninstalledAt: { not: null } },
        select: { domain: true },
      })
    ).map((s) => s.domain),
  );
  const total: TierJobResult = { members: 0, moves: 0, entryPoints: 0 };
  for (const { shop: each } of programs) {
    if (uninstalled.has(each)) continue; // uninstalled: nothing happens to its members
    const program = await loadProgram(db, each);
    for (let afterId = 0; ;) {
      const chunk = await db.customer.findMany({
        where: { shop: each, id: { gt: afterId }, redactedAt: null },
        orderBy: { id: "asc" },
        take: batchSize,
        select: { id: true },
      });
      if (chunk.length === 0) break;
      afterId = chunk[chunk.length - 1].id;
      const moves = await db.$transaction(
        (tx) =>
          moveTiers(
            tx,
            each,
            program,
            chunk.map((c) => c.id),
            "daily",
            now,
          ),
        { timeout: 30_000 },
      );
      total.members += chunk.length;
      total.moves += moves.length;
      total.entryPoints += moves.reduce((sum, m) => sum + m.entryPoints, 0);
      if (chunk.length < batchSize) break;
    }
  }
  if (total.moves) log.info("tiers.recomputed", { ...total });
  return total;
}

/** A member's tier moves, newest first, for their page. */
export function tierHistory(customerId: number, take = 20) {
  return db.tierChange.findMany({
    where: { customerId },
    orderBy: { seq: "desc" },
    take,
    select: { fromTier: true, toTier: true, reason: true, entryPoints: true, createdAt: true },
  });
}
