// A fresh, migrated database for one test file: an SQLite file, or, when TEST_POSTGRES_URL is
// set, a new PostgreSQL database on that server. Sets DATABASE_URL for the app's own client.
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { applyMigrations, dialectOf } from "../../app/db/migrations.server";

export const usingPostgres = Boolean(process.env.TEST_POSTGRES_URL);

/** A new, empty database (no migrations applied): an SQLite file, or a database on TEST_POSTGRES_URL's server. */
export async function emptyDatabaseUrl(): Promise<string> {
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) return `file:${path.join(mkdtempSync(path.join(tmpdir(), "regulars-test-")), "regulars.db")}`;
  const name = `regulars_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const parsed = new URL(admin);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** An empty database with every migration before `migration` (a file name such as "0012_x.sql") applied: an upgrade's starting point. */
export async function databaseBefore(migration: string): Promise<string> {
  const url = await emptyDatabaseUrl();
  const all = path.resolve("prisma/migrations", dialectOf(url));
  const before = mkdtempSync(path.join(tmpdir(), "regulars-migrations-"));
  for (const file of readdirSync(all).filter((f) => f.endsWith(".sql") && f < migration))
    cpSync(path.join(all, file), path.join(before, file));
  await applyMigrations(url, before);
  return url;
}

export async function freshDatabaseUrl(): Promise<string> {
  const url = await emptyDatabaseUrl();
  await applyMigrations(url, path.resolve("prisma/migrations", dialectOf(url)));
  return url;
}

/** Points this test process's `db` at a fresh database. Call before the first query. */
export async function useFreshDatabase(): Promise<string> {
  const url = await freshDatabaseUrl();
  process.env.DATABASE_URL = url;
  return url;
}

/** Every text column of every table of the app's database, as [table, column] pairs. */
export async function textColumns(): Promise<[string, string][]> {
  const { db } = await import("../../app/db.server");
  if (usingPostgres) {
    const rows = await db.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'character varying') AND table_name NOT LIKE '\\_%'`,
    );
    return rows.map((r) => [r.table_name, r.column_name]);
  }
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'`,
  );
  const columns: [string, string][] = [];
  for (const { name } of tables) {
    const info = await db.$queryRawUnsafe<{ name: string; type: string }[]>(`PRAGMA table_info("${name}")`);
    for (const column of info) if (/TEXT|CHAR/i.test(column.type)) columns.push([name, column.name]);
  }
  return columns;
}

/** Where in the database `needle` still appears: "Table.column" for each text column holding it. */
export async function placesHolding(needle: string): Promise<string[]> {
  const { db } = await import("../../app/db.server");
  const found: string[] = [];
  for (const [table, column] of await textColumns()) {
    const rows = await db.$queryRawUnsafe<{ n: bigint | number }[]>(
      `SELECT COUNT(*) AS n FROM "${table}" WHERE LOWER("${column}") LIKE ${usingPostgres ? "$1" : "?"}`,
      `%${needle.toLowerCase()}%`,
    );
    if (Number(rows[0].n) > 0) found.push(`${table}.${column}`);
  }
  return found;
}
