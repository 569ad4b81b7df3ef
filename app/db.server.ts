// The one Prisma client of the process, on SQLite or PostgreSQL by DATABASE_URL (ADR 0001).
import { PrismaClient } from "@regulars/db-sqlite";
import { PrismaClient as PostgresClient } from "@regulars/db-postgres";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite3 from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, dialectOf, sqliteFile, type Dialect } from "./db/config.server";
import { config } from "./config.server";

export type Db = PrismaClient;
/** What a Prisma interactive transaction hands its callback. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

function createClient(url: string): Db {
  if (dialectOf(url) === "postgres") {
    const adapter = new PrismaPg({ connectionString: url, max: config().DATABASE_POOL_SIZE });
    // Both clients are generated from the same models, so they share one API.
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  // WAL (set by the migrator) lets readers run beside the single writer. A write waits up to the
  // busy timeout for another connection's write lock, then fails as database-unavailable.
  return new PrismaClient({
    adapter: new SqliteAdapter({ url: sqliteFile(url), timeout: config().DATABASE_BUSY_TIMEOUT_MS }),
  });
}

// Prisma's SQLite adapter holds one better-sqlite3 connection, and a statement sent while one of
// its transactions is open runs inside that transaction. `withIdleSqliteConnection` lets a hot
// write use that connection directly — once no Prisma transaction is open on it, in one
// synchronous stretch nothing else can interleave with — without Prisma's per-parameter cost.
type Waiter = { work: (connection: BetterSqlite3.Database) => unknown; settle: (error: unknown, result?: unknown) => void };
let sqliteConnection: BetterSqlite3.Database | undefined;
const waiters: Waiter[] = [];

let recheck: NodeJS.Timeout | undefined;

/** Runs what waited for the connection, if it is idle now (between Prisma transactions). */
function runWaiters() {
  while (sqliteConnection && !sqliteConnection.inTransaction && waiters.length) {
    const { work, settle } = waiters.shift()!;
    try {
      settle(null, work(sqliteConnection));
    } catch (error) {
      settle(error);
    }
  }
  // Transactions end through the hooks below; this only covers one that ends some other way.
  if (waiters.length && !recheck) {
    recheck = setTimeout(() => {
      recheck = undefined;
      runWaiters();
    }, 20);
  }
}

/** The adapter, noting its connection and the end of each of its transactions. */
class SqliteAdapter extends PrismaBetterSQLite3 {
  async connect() {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client?: unknown }).client;
    if (!(connection instanceof BetterSqlite3))
      throw new Error("Prisma's SQLite adapter no longer keeps its connection as `client`");
    sqliteConnection = connection;
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args) => {
      const tx = await startTransaction(...args);
      // Prisma calls these once its COMMIT or ROLLBACK has run, before the adapter lets the next
      // transaction begin: the connection is idle, and what waited runs first.
      const [commit, rollback] = [tx.commit.bind(tx), tx.rollback.bind(tx)];
      tx.commit = () => {
        runWaiters();
        return commit();
      };
      tx.rollback = () => {
        runWaiters();
        return rollback();
      };
      return tx;
    };
    return adapter;
  }
}

/**
 * Runs `work` on the better-sqlite3 connection under Prisma's SQLite client (connecting it first)
 * at a moment when no Prisma transaction is open on it; `work` must be synchronous, so nothing
 * else uses the connection until it returns. Its result or error settles the promise.
 */
export async function withIdleSqliteConnection<T>(work: (connection: BetterSqlite3.Database) => T): Promise<T> {
  if (dialect() !== "sqlite") throw new Error("withIdleSqliteConnection needs the SQLite database");
  if (!sqliteConnection) await db.$connect();
  return new Promise<T>((resolve, reject) => {
    waiters.push({ work, settle: (error, result) => (error ? reject(error) : resolve(result as T)) });
    runWaiters();
  });
}

/**
 * The better-sqlite3 connection under Prisma's SQLite client, once connected (undefined before,
 * and on PostgreSQL). Only for app/db/direct-sql.server.ts, which uses it inside a Prisma
 * transaction that is open on it.
 */
export function openSqliteConnection(): BetterSqlite3.Database | undefined {
  return sqliteConnection;
}

declare global {
  var __regularsDb: { db: Db; dialect: Dialect } | undefined;
}

function connection() {
  if (!globalThis.__regularsDb) {
    const url = databaseUrl();
    globalThis.__regularsDb = { db: createClient(url), dialect: dialectOf(url) };
  }
  return globalThis.__regularsDb;
}

/** The process-wide client; connects lazily on first query (and survives dev reloads). */
export const db: Db = new Proxy({} as Db, {
  get: (_target, key) => Reflect.get(connection().db, key),
});

export const dialect = (): Dialect => connection().dialect;
