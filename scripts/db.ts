// Database tooling that works offline on SQLite and PostgreSQL alike (ADRs 0001, 0003).
//   tsx scripts/db.ts generate          generate both Prisma clients from prisma/schema.prisma
//   tsx scripts/db.ts migrate           apply pending SQL migrations to DATABASE_URL
//   tsx scripts/db.ts migration <name>  author a migration for both dialects from schema changes
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, copyFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations, dialectOf, type Dialect } from "../app/db/migrations.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
const schemaFile = path.join(root, "prisma/schema.prisma");
const postgresSchemaFile = path.join(root, "prisma/.postgres/schema.prisma");
const migrationsDir = path.join(root, "prisma/migrations");
const snapshotFile = path.join(migrationsDir, "schema.snapshot.prisma");

function postgresSchema(sqliteSchema: string): string {
  return sqliteSchema
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('"../node_modules/@regulars/db-sqlite"', '"../../node_modules/@regulars/db-postgres"')
    .replace(/url\s+=\s+"file:[^"]*"/, 'url = "postgresql://localhost/regulars"');
}

function prisma(...args: string[]): string {
  return execFileSync(path.join(root, "node_modules/.bin/prisma"), args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

function writePostgresSchema(from: string, to: string) {
  mkdirSync(path.dirname(to), { recursive: true });
  writeFileSync(to, postgresSchema(readFileSync(from, "utf8")));
}

function generate() {
  writePostgresSchema(schemaFile, postgresSchemaFile);
  prisma("generate", "--schema", schemaFile);
  prisma("generate", "--schema", postgresSchemaFile);
}

function authorMigration(name: string) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: lowercase letters, digits and _");
  const dialects: Dialect[] = ["sqlite", "postgres"];
  const previous = existsSync(snapshotFile) ? snapshotFile : null;
  const tmp = path.join(root, "prisma/.postgres");
  const schemas = {
    sqlite: { from: previous, to: schemaFile },
    postgres: {
      from: previous && (writePostgresSchema(previous, path.join(tmp, "previous.prisma")), path.join(tmp, "previous.prisma")),
      to: (writePostgresSchema(schemaFile, postgresSchemaFile), postgresSchemaFile),
    },
  };
  const number = String(readdirSync(path.join(migrationsDir, "sqlite")).length + 1).padStart(4, "0");
  for (const dialect of dialects) {
    const { from, to } = schemas[dialect];
    const sql = prisma(
      "migrate",
      "diff",
      "--script",
      ...(from ? ["--from-schema-datamodel", from] : ["--from-empty"]),
      "--to-schema-datamodel",
      to,
    );
    const file = path.join(migrationsDir, dialect, `${number}_${name}.sql`);
    writeFileSync(file, sql);
    console.log(`wrote ${path.relative(root, file)}`);
  }
  copyFileSync(schemaFile, snapshotFile);
}

const [command, arg] = process.argv.slice(2);
if (command === "generate") generate();
else if (command === "migrate") {
  const url = process.env.DATABASE_URL ?? "file:./data/regulars.db";
  const applied = await applyMigrations(url, path.join(migrationsDir, dialectOf(url)));
  console.log(applied.length ? `applied ${applied.join(", ")}` : `database is up to date (${dialectOf(url)})`);
} else if (command === "migration" && arg) authorMigration(arg);
else {
  console.error("usage: tsx scripts/db.ts generate | migrate | migration <name>");
  process.exit(2);
}
