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

/** A column's type in `insertRows`: what PostgreSQL's unnest casts that column's array to. */
export type ColumnType = "text" | "integer" | "timestamp" | "boolean";

/**
 * The rows of an `INSERT INTO t (…) <rows>`: a VALUES list on SQLite; on PostgreSQL one array
 * parameter per column through unnest, so a 1,000-row chunk is parsed and planned from a dozen
 * parameters instead of 14,000 (planning those took a third as long as running the statement).
 */
export function insertRows(types: ColumnType[], rows: unknown[][]): { sql: string; params: unknown[] } {
  if (dialect() === "sqlite") return { sql: `VALUES ${valuesList(rows.length, types.length)}`, params: rows.flat() };
  const casts = types.map((type) => `?::${type === "timestamp" ? "timestamp(3)" : type}[]`);
  // Rows often share one Date (createdAt/updatedAt of a whole chunk): each is formatted once.
  const formatted = new Map<Date, string>();
  const format = (date: Date) => {
    let text = formatted.get(date);
    if (text === undefined) formatted.set(date, (text = timestampParam(date)));
    return text;
  };
  const columns = types.map((type, i) =>
    rows.map((row) => (type === "timestamp" && row[i] instanceof Date ? format(row[i]) : row[i])),
  );
  return { sql: `SELECT * FROM unnest(${casts.join(", ")})`, params: columns };
}

/**
 * A timestamp to compare a column with in SQL, as the database stores it: Prisma keeps SQLite
 * DateTimes as ISO 8601 text with `+00:00`; PostgreSQL's `timestamp(3)` holds UTC.
 */
export function timestampValue(date: Date): { sql: string; param: string } {
  return dialect() === "sqlite"
    ? { sql: "?", param: timestampParam(date) }
    : { sql: "CAST(? AS timestamp(3))", param: timestampParam(date) };
}

function timestampParam(date: Date): string {
  return dialect() === "sqlite" ? date.toISOString().replace("Z", "+00:00") : date.toISOString();
}

/** SQLite returns COUNT/SUM as bigint through Prisma; PostgreSQL as bigint or numeric strings. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : Number(value);
}
