// A connection of the import's own, straight on the database driver, offering the one surface
// the set-based upserts use (`$queryRawUnsafe` / `$executeRawUnsafe`) inside transactions.
//
// Why: the upserts send ~14,000 parameters per 1,000-order chunk; through Prisma each one is
// mapped by the query compiler and the adapter, which cost more CPU than SQLite's own work and
// made a 1,000,000-order import take minutes (ADR 0021). The SQL is unchanged — the same
// functions (`upsertOrders`, `upsertCustomers`, `upsertRefunds`) run on this connection — and
// values are stored exactly as Prisma stores them, so the app reads them back unchanged.
import Database from "better-sqlite3";
import pg from "pg";
import type { Tx } from "../db.server";
import { databaseUrl, dialectOf, sqliteFile } from "../db/config.server";

/** What `query`/`execute` of db/sql.server need: a Prisma transaction has it, and so does this. */
export type RawExecutor = Pick<Tx, "$queryRawUnsafe" | "$executeRawUnsafe">;

export type DirectConnection = {
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: RawExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/**
 * Prisma's SQLite adapter keeps DateTime as ISO 8601 text with `+00:00`, booleans as 0/1. A chunk's
 * rows share their createdAt/updatedAt Date: each Date of one statement is formatted once.
 */
function sqliteValues(params: unknown[]): unknown[] {
  const formatted = new Map<Date, string>();
  return params.map((value) => {
    if (value instanceof Date) {
      let text = formatted.get(value);
      if (text === undefined) formatted.set(value, (text = value.toISOString().replace("Z", "+00:00")));
      return text;
    }
    if (typeof value === "boolean") return value ? 1 : 0;
    return value;
  });
}

function openSqlite(url: string): DirectConnection {
  const db = new Database(sqliteFile(url), { timeout: 10_000 });
  // WAL is the database's mode (the migrator sets it). NORMAL sync is safe with WAL: a power cut
  // may lose the last commits but never tears one, and the job resumes from what did commit.
  db.pragma("synchronous = NORMAL");
  // Orders land in random places of the per-customer index, so consecutive chunks dirty the
  // same pages again: a longer WAL between checkpoints copies each page back once instead of
  // once per chunk, and a bigger page cache keeps those pages at hand.
  db.pragma("wal_autocheckpoint = 16384"); // pages (64 MB of WAL) instead of 1,000
  db.pragma("cache_size = -32768"); // KiB

  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size > 50) statements.clear();
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const executor = {
    async $queryRawUnsafe(sql: string, ...params: unknown[]) {
      const stmt = prepare(sql);
      const args = sqliteValues(params);
      return stmt.reader ? stmt.all(...args) : (stmt.run(...args), []);
    },
    async $executeRawUnsafe(sql: string, ...params: unknown[]) {
      return prepare(sql).run(...sqliteValues(params)).changes;
    },
  } as unknown as RawExecutor;
  return {
    async transaction(work) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(executor);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      }
    },
    async close() {
      db.close();
    },
  };
}

/** Timestamps are `timestamp(3)` without zone holding UTC: send the UTC text (the zone is ignored). */
function postgresValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

async function openPostgres(url: string): Promise<DirectConnection> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // As with SQLite's NORMAL sync: a crash may lose the last commits, never tear one, and the job
  // resumes from what did commit; the server does not wait on the WAL flush per chunk. Set once
  // for the connection (it is the import's own), not per transaction: one round trip less a chunk.
  await client.query("SET synchronous_commit = off");
  const executor = {
    async $queryRawUnsafe(sql: string, ...params: unknown[]) {
      return (await client.query(sql, params.map(postgresValue))).rows;
    },
    async $executeRawUnsafe(sql: string, ...params: unknown[]) {
      return (await client.query(sql, params.map(postgresValue))).rowCount ?? 0;
    },
  } as unknown as RawExecutor;
  return {
    async transaction(work) {
      await client.query("BEGIN");
      try {
        const result = await work(executor);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    },
    close: () => client.end(),
  };
}

/** A direct connection to the app's database (DATABASE_URL). Close it when done. */
export async function openDirectConnection(url = databaseUrl()): Promise<DirectConnection> {
  return dialectOf(url) === "postgres" ? openPostgres(url) : openSqlite(url);
}
