// A fresh, migrated database for one test file: an SQLite file, or, when TEST_POSTGRES_URL is
// set, a new PostgreSQL database on that server. Sets DATABASE_URL for the app's own client.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { applyMigrations, dialectOf } from "../../app/db/migrations.server";

export const usingPostgres = Boolean(process.env.TEST_POSTGRES_URL);

export async function freshDatabaseUrl(): Promise<string> {
  const admin = process.env.TEST_POSTGRES_URL;
  let url: string;
  if (admin) {
    const name = `regulars_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const parsed = new URL(admin);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  } else {
    url = `file:${path.join(mkdtempSync(path.join(tmpdir(), "regulars-test-")), "regulars.db")}`;
  }
  await applyMigrations(url, path.resolve("prisma/migrations", dialectOf(url)));
  return url;
}

/** Points this test process's `db` at a fresh database. Call before the first query. */
export async function useFreshDatabase(): Promise<string> {
  const url = await freshDatabaseUrl();
  process.env.DATABASE_URL = url;
  return url;
}
