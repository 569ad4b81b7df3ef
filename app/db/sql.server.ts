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
 * A column whose value every row shares (the shop, a chunk's createdAt) is sent once as a scalar,
 * and so is every column of a single row (a webhook's order): PostgreSQL then parses one value
 * instead of an array of copies.
 */
export function insertRows(types: ColumnType[], rows: unknown[][]): { sql: string; params: unknown[] } {
  if (dialect() === "sqlite") return { sql: `VALUES ${valuesList(rows.length, types.length)}`, params: rows.flat() };
  // Rows often share one Date (createdAt/updatedAt of a whole chunk): each is formatted once.
  const formatted = new Map<Date, string>();
  const value = (type: ColumnType, v: unknown) => {
    if (type !== "timestamp" || !(v instanceof Date)) return v;
    let text = formatted.get(v);
    if (text === undefined) formatted.set(v, (text = timestampParam(v)));
    return text;
  };
  const sqlType = (type: ColumnType) => (type === "timestamp" ? "timestamp(3)" : type);
  const select: string[] = [];
  const scalars: unknown[] = [];
  const arrays: string[] = [];
  const arrayCasts: string[] = [];
  types.forEach((type, i) => {
    const first = rows[0][i];
    if (rows.every((row) => row[i] === first)) {
      select.push(`?::${sqlType(type)}`);
      scalars.push(value(type, first));
    } else {
      select.push(`u.c${arrays.length}`);
      arrayCasts.push(`?::${sqlType(type)}[]`);
      arrays.push(arrayLiteral(rows.map((row) => value(type, row[i]))));
    }
  });
  const from = arrays.length ? ` FROM unnest(${arrayCasts.join(", ")}) AS u(${arrays.map((_, i) => `c${i}`).join(", ")})` : "";
  return { sql: `SELECT ${select.join(", ")}${from}`, params: [...scalars, ...arrays] };
}

/**
 * PostgreSQL's text form of a one-dimensional array (`{1,NULL,"a \"b\""}`), which the `?::type[]`
 * cast parses. Built here rather than by the driver (node-postgres quotes and escapes every element,
 * numbers too, and formats each Date again): on a 1,000,000-order import that was 4 s of the
 * import's critical path. Strings are quoted with `\` and `"` escaped, as array_in reads them; a
 * test round-trips hostile strings through PostgreSQL.
 */
export function arrayLiteral(values: unknown[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "number" || typeof v === "bigint") out += String(v);
    else if (typeof v === "boolean") out += v ? "t" : "f";
    else {
      const text = v instanceof Date ? timestampParam(v) : String(v);
      out += text.includes("\\") || text.includes('"') ? `"${text.replace(/[\\"]/g, "\\$&")}"` : `"${text}"`;
    }
  }
  return out + "}";
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
