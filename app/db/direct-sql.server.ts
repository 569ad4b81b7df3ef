// The webhook processor's raw statements on SQLite, straight on the driver (ADR 0035).
//
// Prisma's SQLite adapter has one better-sqlite3 connection, and a statement sent while one of its
// interactive transactions is open runs in that transaction. Sent through Prisma, each raw
// statement is serialised, passed through its query compiler (WebAssembly) and mapped parameter by
// parameter and cell by cell: for a batch of 200 paid orders that was a third of the processor's
// CPU. `withDirectSql` hands the transaction's work a client whose `$queryRawUnsafe` and
// `$executeRawUnsafe` (what app/db/sql.server.ts sends) run on that connection directly, in the
// same transaction, with the parameters and the rows converted as Prisma converts them; every
// other method is Prisma's own. test/webhooks/direct-sql.test.ts runs the same statements both
// ways and requires identical results, types included.
import type BetterSqlite3 from "better-sqlite3";
import { dialect, openSqliteConnection, type Tx } from "../db.server";

/** Declared column types whose values are converted as Prisma's adapter converts them. */
const INT32 = new Set(["TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "SERIAL", "INT2"]);
const AS_IS = new Set(["", "BIGINT", "UNSIGNED BIG INT", "INT8", "TEXT", "CLOB", "CHARACTER", "VARCHAR", "VARYING CHARACTER", "NCHAR", "NATIVE CHARACTER", "NVARCHAR", "DOUBLE", "DOUBLE PRECISION", "REAL", "FLOAT"]); // prettier-ignore
const DATETIME = new Set(["DATETIME", "TIMESTAMP"]);

type Column = { name: string; convert: ((value: unknown) => unknown) | null };

const toInt32 = (value: unknown) =>
  typeof value === "bigint" ? Number(value) : typeof value === "number" && !Number.isInteger(value) ? Math.trunc(value) : value;
const toDate = (value: unknown) =>
  typeof value === "string"
    ? new Date(value)
    : typeof value === "number" || typeof value === "bigint"
      ? new Date(Number(value))
      : value;
const toBoolean = (value: unknown) => (value === null ? null : Number(value) !== 0);

/** How each column's values are converted; null if one has a type this module leaves to Prisma. */
function columnsOf(statement: BetterSqlite3.Statement): Column[] | null {
  const columns: Column[] = [];
  for (const { name, type } of statement.columns()) {
    const declared = (type ?? "").toUpperCase();
    if (INT32.has(declared)) columns.push({ name, convert: toInt32 });
    else if (DATETIME.has(declared)) columns.push({ name, convert: toDate });
    else if (declared === "BOOLEAN") columns.push({ name, convert: toBoolean });
    else if (AS_IS.has(declared)) columns.push({ name, convert: null });
    else return null;
  }
  return columns;
}

/** A parameter as Prisma's adapter binds it; undefined for one this module leaves to Prisma. */
function bindable(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

const CACHED_STATEMENTS = 1_000;

/**
 * Prepared statements by text: a batch's statements repeat (the same row counts come back). The
 * least recently used goes when full: batches of every size from 1 to 200 make several hundred
 * texts, and emptying the whole cache then re-prepared them all.
 */
function statementCache(connection: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return (sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql); // most recently used last
    } else {
      if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      statement = connection.prepare(sql);
    }
    cache.set(sql, statement);
    return statement;
  };
}

/** How many raw statements have gone straight to the driver in this process (tests, support). */
export let directStatements = 0;

const caches = new WeakMap<BetterSqlite3.Database, (sql: string) => BetterSqlite3.Statement>();

/**
 * Runs `work` with `tx`, whose raw statements go straight to the driver on SQLite (PostgreSQL:
 * `tx` as it is). Only while `work` runs, and only while the connection is in a transaction —
 * this one: the adapter opens one at a time. A statement with a parameter or a column type that
 * is not converted here goes through Prisma.
 */
export async function withDirectSql<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const connection = dialect() === "sqlite" ? openSqliteConnection() : undefined;
  if (!connection) return work(tx);
  let prepare = caches.get(connection);
  if (!prepare) caches.set(connection, (prepare = statementCache(connection)));
  let open = true;
  const direct = (sql: string, params: unknown[]) => {
    if (!open || !connection.inTransaction) return null;
    const bound = params.map(bindable);
    if (bound.includes(undefined)) return null;
    const statement = prepare(sql);
    if (!statement.reader) {
      directStatements++;
      return { changes: statement.run(bound).changes, rows: [] };
    }
    const columns = columnsOf(statement);
    if (!columns) return null;
    directStatements++;
    const rows = statement.all(bound) as Record<string, unknown>[];
    for (const row of rows) {
      for (const { name, convert } of columns) if (convert && row[name] !== null) row[name] = convert(row[name]);
    }
    return { changes: rows.length, rows };
  };
  const client = new Proxy(tx, {
    get(target, key) {
      if (key === "$queryRawUnsafe") {
        return (sql: string, ...params: unknown[]) => {
          const result = direct(sql, params);
          return result ? Promise.resolve(result.rows) : target.$queryRawUnsafe(sql, ...params);
        };
      }
      if (key === "$executeRawUnsafe") {
        return (sql: string, ...params: unknown[]) => {
          const result = direct(sql, params);
          return result ? Promise.resolve(result.changes) : target.$executeRawUnsafe(sql, ...params);
        };
      }
      return Reflect.get(target, key) as unknown;
    },
  });
  try {
    return await work(client);
  } finally {
    open = false;
  }
}
