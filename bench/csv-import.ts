// Points import at scale: a 100,000-row CSV (a LoyaltyLion-style export: customer id or email,
// points; 2% malformed, 1% unknown customers) written to a temp file and imported from disk by the
// real import into a fresh database holding the shop's 100,000 customers, then imported again
// (the re-upload must append nothing). Prints rows/s, time and peak memory.
//   npm run bench:csv-import -- [--rows 100000] [--postgres postgresql://…]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freshBenchDatabase } from "./support/database";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    postgres: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const ROWS = Number(args.rows);
const SHOP = "bench-import.myshopify.com";
const MB = 1024 * 1024;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
sampler.unref();

async function writeFile(file: string) {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  await write("merchant_id,email,points_approved,points_pending\r\n");
  for (let i = 0; i < ROWS; i++) {
    let line: string;
    if (i % 50 === 7)
      line = `${i},,lots,0`; // malformed points
    else if (i % 100 === 13)
      line = `${10_000_000 + i},,10,0`; // unknown customer
    else if (i % 2 === 0)
      line = `${i},,${(i % 5000) + 1},0`; // by Shopify customer id
    else line = `,"customer${i}@example.com",${(i % 5000) + 1},0`; // by email
    await write(`${line}\r\n`);
  }
  out.end();
  await once(out, "finish");
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-import-"));
  const file = path.join(dir, "points.csv");
  await writeFile(file);
  console.log(
    `CSV import bench: ${ROWS.toLocaleString("en")} rows, ${(statSync(file).size / MB).toFixed(1)} MB, ${args.postgres ? "PostgreSQL" : "SQLite"}`,
  );
  process.env.DATABASE_URL = await freshBenchDatabase(dir, args.postgres);
  const { db } = await import("../app/db.server");
  const { importBalances } = await import("../app/loyalty/points-import.server");
  await db.shop.create({ data: { domain: SHOP, name: "Bench", currency: "USD", timezone: "UTC" } });
  await db.programSettings.create({ data: { shop: SHOP } });
  // The shop's customers, inserted with plain SQL (Prisma's createMany keeps a few hundred MB of
  // garbage around, which would be counted against the import).
  const { execute, valuesList } = await import("../app/db/sql.server");
  for (let i = 0; i < ROWS; i += 1000) {
    const n = Math.min(1000, ROWS - i);
    const now = new Date();
    await execute(
      db,
      `INSERT INTO "Customer" ("shop", "shopifyId", "email", "createdAt", "updatedAt") VALUES ${valuesList(n, 5)}`,
      Array.from({ length: n }, (_, k) => [SHOP, String(i + k), `customer${i + k}@example.com`, now, now]).flat(),
    );
  }
  const open = () => createReadStream(file, { highWaterMark: 64 * 1024 });

  for (const pass of ["first upload", "same file again"]) {
    global.gc?.();
    peakRss = process.memoryUsage().rss;
    const rssAtStart = peakRss;
    const heapAtStart = process.memoryUsage().heapUsed;
    let problems = 0;
    const started = performance.now();
    const result = await importBalances(SHOP, open, {
      actor: "bench",
      onProblem: () => problems++,
      onProgress: (p) => {
        if (p.rows % 25_000 < 500) {
          global.gc?.();
          console.log(`    ${p.rows} rows: heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB after a collection`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`${pass}:`);
    console.log(
      `  rows        ${result.rows.toLocaleString("en")} read, ${result.imported.toLocaleString("en")} imported, ${result.alreadyImported.toLocaleString("en")} already imported, ${problems.toLocaleString("en")} reported (${result.unknown.toLocaleString("en")} unknown customers)`,
    );
    console.log(`  time        ${seconds.toFixed(2)} s  (${Math.round(result.rows / seconds).toLocaleString("en")} rows/s)`);
    const heapAtEnd = process.memoryUsage().heapUsed;
    global.gc?.();
    console.log(
      `  peak RSS    ${(peakRss / MB).toFixed(0)} MB sampled during the import (${(rssAtStart / MB).toFixed(0)} MB at its start)`,
    );
    console.log(
      `  JS heap     ${(heapAtStart / MB).toFixed(0)} MB at the start, ${(heapAtEnd / MB).toFixed(0)} MB at the end, ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB after a collection (what the import kept)`,
    );
  }
  console.log(`  process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (seeding included)`);
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint | number }[]>(`SELECT COUNT(*) AS n FROM "LedgerEntry"`);
  console.log(`  ledger rows ${Number(n).toLocaleString("en")}`);
  await db.$disconnect();
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
