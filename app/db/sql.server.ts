// Raw SQL that reads the same on SQLite and PostgreSQL, for the few set-based statements Prisma
// cannot express (multi-row upserts with RETURNING, skip-locked claims). Write `?` placeholders.
import { dialect, type Tx } from "../db.server";

type Executor = Pick<Tx, "$queryRawUnsafe" | "$executeRawUnsafe">;

function placeholders(text: string): string {
  if (dialect() === "sqlite") return text;
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export function query<Row>(tx: Executor, text: string, params: unknown[]): Promise<Row[]> {
  return tx.$queryRawUnsafe<Row[]>(placeholders(text), ...params);
}

export function execute(tx: Executor, text: string, params: unknown[]): Promise<number> {
  return tx.$executeRawUnsafe(placeholders(text), ...params);
}

/** `(?, ?, ?), (?, ?, ?)` for rows of `width` values. */
export function valuesList(rows: number, width: number): string {
  const row = `(${Array(width).fill("?").join(", ")})`;
  return Array(rows).fill(row).join(", ");
}

/** SQLite returns COUNT/SUM as bigint through Prisma; PostgreSQL as bigint or numeric strings. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : Number(value);
}
