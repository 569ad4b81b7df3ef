// The one Prisma client of the process, on SQLite or PostgreSQL by DATABASE_URL (ADR 0001).
import { PrismaClient } from "@regulars/db-sqlite";
import { PrismaClient as PostgresClient } from "@regulars/db-postgres";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
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
    adapter: new PrismaBetterSQLite3({ url: sqliteFile(url), timeout: config().DATABASE_BUSY_TIMEOUT_MS }),
  });
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
