// Telling "the database cannot answer right now" apart from everything else. A webhook delivery
// that meets the first is answered 503 so Shopify retries it later; anything else is a bug and
// stays a 500. Recognised only by codes, never by message text:
// - Prisma: P1001 can't reach the server, P1002 / P1008 timed out (SQLite's busy wait ends as
//   P1008), P1017 the server closed the connection, P2024 no pooled connection in time;
// - driver adapters (meta.driverAdapterError.cause): kind DatabaseNotReachable, SocketTimeout,
//   ConnectionClosed, TooManyConnections; SQLite's SQLITE_BUSY / SQLITE_LOCKED (another
//   connection holds the write lock past the busy timeout), SQLITE_IOERR* / SQLITE_CANTOPEN /
//   SQLITE_FULL (the file cannot be read or written); PostgreSQL's SQLSTATE classes 08
//   (connection exception) and 53 (insufficient resources), and 57P01–57P03 (the server is
//   shutting down, crashed or starting);
// - Node's socket errors from the pg driver itself (ECONNREFUSED, ECONNRESET, ...).

const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout", "ConnectionClosed", "TooManyConnections"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** What a process that learned of an outage from another (the cluster's inbox writer) rethrows. */
export class DatabaseUnavailable extends Error {
  name = "DatabaseUnavailable";
  constructor(readonly reason: string) {
    super(`database unavailable: ${reason}`);
  }
}

function driverCode(code: unknown): string | null {
  if (typeof code !== "string") return null;
  if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/.test(code)) return code;
  if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return `SQLSTATE ${code}`;
  if (SOCKET_CODES.has(code)) return code;
  return null;
}

type Shape = {
  code?: unknown;
  name?: unknown;
  reason?: unknown;
  meta?: { driverAdapterError?: { cause?: Record<string, unknown> } };
  cause?: unknown;
};

/**
 * A short reason ("SQLITE_BUSY", "DatabaseNotReachable", "SQLSTATE 57P01", "P1001") when `error` says
 * the database is unreachable or busy past its wait; null for any other error.
 */
export function databaseUnavailable(error: unknown): string | null {
  for (
    let e = error as Shape | undefined, depth = 0;
    e && typeof e === "object" && depth < 5;
    e = e.cause as Shape | undefined, depth++
  ) {
    if (e instanceof DatabaseUnavailable) return e.reason;
    const cause = e.meta?.driverAdapterError?.cause;
    if (cause) {
      const code = driverCode(cause.originalCode) ?? driverCode(cause.code);
      if (code) return code;
      if (typeof cause.kind === "string" && ADAPTER_KINDS.has(cause.kind)) return cause.kind;
    }
    if (typeof e.code === "string" && PRISMA_CODES.has(e.code)) return e.code;
    const code = driverCode(e.code);
    if (code) return code;
  }
  return null;
}
