// A fresh, migrated database for a bench: an SQLite file in `dir`, or a new database on the
// PostgreSQL server of `postgresAdminUrl` when one is given.
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { applyMigrations, dialectOf } from "../../app/db/migrations.server";

export async function freshBenchDatabase(dir: string, postgresAdminUrl?: string): Promise<string> {
  let url = `file:${path.join(dir, "bench.db")}`;
  if (postgresAdminUrl) {
    const name = `regulars_bench_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const client = new pg.Client({ connectionString: postgresAdminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const parsed = new URL(postgresAdminUrl);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  }
  await applyMigrations(url, path.resolve("prisma/migrations", dialectOf(url)));
  return url;
}
