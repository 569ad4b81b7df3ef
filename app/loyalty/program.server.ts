import type { Tx } from "../db.server";
import { DEFAULT_PROGRAM, parseTiers, type Program } from "./program";

export async function loadProgram(tx: Tx, shop: string): Promise<Program> {
  const row = await tx.programSettings.findUnique({ where: { shop } });
  if (!row) return DEFAULT_PROGRAM;
  return {
    pointsPerUnit: row.pointsPerUnit,
    signupBonusEnabled: row.signupBonusEnabled,
    signupBonusPoints: row.signupBonusPoints,
    tiersEnabled: row.tiersEnabled,
    tiers: parseTiers(row.tiers),
    allowNegativeBalance: row.allowNegativeBalance,
    activeWindowDays: row.activeWindowDays,
  };
}
