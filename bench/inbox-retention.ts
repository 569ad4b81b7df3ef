// The webhook inbox's retention sweep on 100,000 processed events (~3 KB bodies, processed over
// the last 30 days): rows, stored body bytes and database file size before and after, and the
// sweep's time. Bodies older than 7 days go; every row stays (ids recognise redeliveries).
//   npm run bench:retention -- [--events 100000] [--json FILE]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { applyMigrations } from "../app/db/migrations.server";
import { orderBody } from "./support/order-body";
import { writeFigures } from "./support/figures";

const { values: args } = parseArgs({ options: { events: { type: "string", default: "100000" }, json: { type: "string" } } });
const EVENTS = Number(args.events);
const DAY = 86_400_000;

const file = path.join(mkdtempSync(path.join(tmpdir(), "regulars-retention-")), "inbox.db");
await applyMigrations(`file:${file}`, path.resolve("prisma/migrations/sqlite"));
process.env.DATABASE_URL = `file:${file}`;

const sqlite = new Database(file);
const now = Date.now();
const insert = sqlite.prepare(
  `INSERT INTO "WebhookEvent" ("shop", "eventId", "topic", "payload", "receivedAt", "processedAt", "nextAttemptAt", "attempts")
   VALUES (?, ?, 'ORDERS_PAID', ?, ?, ?, ?, 1)`,
);
const started = Date.now();
sqlite.transaction(() => {
  for (let n = 0; n < EVENTS; n++) {
    // Evenly over the last 30 days, stored as Prisma stores DateTime on SQLite (ISO text).
    const at = new Date(now - (n / EVENTS) * 30 * DAY).toISOString().replace("Z", "+00:00");
    insert.run("bench.myshopify.com", `event-${n}`, orderBody(n).body, at, at, at);
    if (n % 20_000 === 0) process.stdout.write(`\rseeding ${n.toLocaleString("en")} / ${EVENTS.toLocaleString("en")}`);
  }
})();
process.stdout.write(`\rseeded ${EVENTS.toLocaleString("en")} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

function measure() {
  const row = sqlite
    .prepare(
      `SELECT COUNT(*) AS rows, COUNT("payload") AS bodies, COALESCE(SUM(LENGTH("payload")), 0) AS bytes FROM "WebhookEvent"`,
    )
    .get() as { rows: number; bodies: number; bytes: number };
  sqlite.exec("VACUUM");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return { ...row, fileBytes: statSync(file).size };
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const before = measure();
const { pruneInbox } = await import("../app/webhooks/inbox.server");
const sweepStarted = Date.now();
const result = await pruneInbox(new Date(now));
const sweepSeconds = (Date.now() - sweepStarted) / 1000;
const after = measure();

console.log(`inbox retention on ${EVENTS.toLocaleString("en")} processed events (bodies kept 7 days, rows 90 days)`);
console.log(
  `  before: ${before.rows.toLocaleString("en")} rows, ${before.bodies.toLocaleString("en")} bodies, ${mb(before.bytes)} of bodies, file ${mb(before.fileBytes)}`,
);
console.log(
  `  sweep:  ${result.bodiesDropped.toLocaleString("en")} bodies dropped, ${result.rowsDeleted} rows deleted in ${sweepSeconds.toFixed(2)} s`,
);
console.log(
  `  after:  ${after.rows.toLocaleString("en")} rows, ${after.bodies.toLocaleString("en")} bodies, ${mb(after.bytes)} of bodies, file ${mb(after.fileBytes)} after VACUUM`,
);
console.log(`  file size ratio after/before: ${(after.fileBytes / before.fileBytes).toFixed(3)}`);
writeFigures(args.json, {
  bench: "inbox-retention",
  events: EVENTS,
  sweepSeconds,
  bodiesDropped: result.bodiesDropped,
  rowsDeleted: result.rowsDeleted,
  before,
  after,
  fileRatio: after.fileBytes / before.fileBytes,
});
sqlite.close();
rmSync(path.dirname(file), { recursive: true, force: true });
process.exit(0);
