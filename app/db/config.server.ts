import path from "node:path";
import { config } from "../config.server";

export type Dialect = "sqlite" | "postgres";

/** `postgres://` or `postgresql://` selects PostgreSQL; anything else is an SQLite file. */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
}

export function databaseUrl(): string {
  return config().DATABASE_URL;
}

/** The filesystem path of an SQLite `file:` URL, resolved against the working directory. */
export function sqliteFile(url: string): string {
  const file = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return path.resolve(file);
}
