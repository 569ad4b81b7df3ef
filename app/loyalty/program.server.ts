// A shop's program settings from the database; the defaults (program.ts) when it has none yet.
import type { Db, Tx } from "../db.server";
import { DEFAULT_PROGRAM, parseTiers, type Program } from "./program";

type ProgramRow = Omit<Program, "tiers"> & { tiers: string };

export function programFromRow(row: ProgramRow): Program {
  const program = {} as Record<keyof Program, unknown>;
  for (const key of Object.keys(DEFAULT_PROGRAM) as (keyof Program)[]) program[key] = row[key];
  return { ...(program as Program), tiers: parseTiers(row.tiers) };
}

export async function loadProgram(tx: Tx | Db, shop: string): Promise<Program> {
  const row = await tx.programSettings.findUnique({ where: { shop } });
  return row ? programFromRow(row) : { ...DEFAULT_PROGRAM, tiers: [] };
}
