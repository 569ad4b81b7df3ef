// Prisma CLI config. Engines are never downloaded here (docs/decisions/0001-database-providers.md): the client is generated
// with the JS query compiler, and migrations are applied by scripts/db.ts (ADR 0003).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => {
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: "file::memory:" });
  },
});
