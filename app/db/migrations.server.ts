// Applies the SQL files of prisma/migrations/<dialect>/ in order and records each one.
// Prisma's own `migrate deploy` cannot run offline on PostgreSQL here (ADR 0003).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { dialectOf, sqliteFile } from "./config.server";

export { dialectOf, type Dialect } from "./config.server";

type Migration = { name: string; sql: string; checksum: string };

function readMigrations(dir: string): Migration[] {
  return migrationNames(dir).map((name) => {
    const sql = readFileSync(path.join(dir, `${name}.sql`), "utf8");
    return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

/** The names of the migrations in `dir`, in the order they apply. */
export function migrationNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((file) => file.replace(/\.sql$/, ""));
}

function checkUnchanged(migration: Migration, recordedChecksum: string | undefined) {
  if (recordedChecksum && recordedChecksum !== migration.checksum) {
    throw new Error(`migration ${migration.name} was edited after it was applied; add a new migration instead`);
  }
}

/** Returns the names of the migrations applied by this call. Safe to run concurrently. */
export async function applyMigrations(url: string, dir: string): Promise<string[]> {
  const migrations = readMigrations(dir);
  return dialectOf(url) === "postgres" ? applyPostgres(url, migrations) : applySqlite(url, migrations);
}

function applySqlite(url: string, migrations: Migration[]): string[] {
  const file = sqliteFile(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_regulars_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`);
    const applied = new Map(
      db
        .prepare(`SELECT name, checksum FROM "_regulars_migrations"`)
        .all()
        .map((row) => {
          const r = row as { name: string; checksum: string };
          return [r.name, r.checksum];
        }),
    );
    const done: string[] = [];
    for (const migration of migrations) {
      checkUnchanged(migration, applied.get(migration.name));
      if (applied.has(migration.name)) continue;
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare(`INSERT INTO "_regulars_migrations" VALUES (?, ?, ?)`).run(
          migration.name,
          migration.checksum,
          new Date().toISOString(),
        );
      }).immediate();
      done.push(migration.name);
    }
    return done;
  } finally {
    db.close();
  }
}

async function applyPostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One migrator at a time across app instances starting together.
    await client.query("SELECT pg_advisory_lock(728364001)");
    await client.query(`CREATE TABLE IF NOT EXISTS "_regulars_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_regulars_migrations"`);
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      checkUnchanged(migration, applied.get(migration.name));
      if (applied.has(migration.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "_regulars_migrations" (name, checksum) VALUES ($1, $2)`, [
          migration.name,
          migration.checksum,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query("SELECT pg_advisory_unlock(728364001)").catch(() => {});
    await client.end();
  }
}
