// Historical backfill at scale: a 1,000,000-order bulk-operation result (with customers and ~10%
// refunded orders) generated to a temp file, served from a local HTTP server that also answers
// the Admin API's bulk-operation calls, and imported by the real backfill job into a fresh
// database. Prints time, lines/s and peak memory. Targets (README.md, Benchmarks): < 60 s, < 300 MB.
// The import runs in a process of its own (bench/support/backfill-import.ts) holding only the app,
// compiled to JavaScript first as the production server is (no TypeScript loader in memory): the
// generated files and the local "Shopify" stay in this one, so the memory figure is the import's
// and not the harness's.
//   npm run bench:backfill -- [--orders 1000000] [--chunk 1000] [--postgres postgresql://…] [--json FILE]
import { fork } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { dialectOf } from "../app/db/migrations.server";
import { freshBenchDatabase } from "./support/database";
import { writeFigures } from "./support/figures";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000000" },
    chunk: { type: "string", default: "1000" },
    postgres: { type: "string" },
    keep: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const ORDERS = Number(args.orders);
const CUSTOMERS = Math.max(1, Math.floor(ORDERS / 5));
const SHOP = "bench-backfill.myshopify.com";
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// 1. The result files, in Shopify's JSONL shape (one object per line, GIDs, shop money strings).

async function writeLines(file: string, count: number, line: (i: number) => string, label: string) {
  const out = createWriteStream(file);
  const started = performance.now();
  let batch: string[] = [];
  for (let i = 0; i < count; i++) {
    batch.push(line(i));
    if (batch.length === 5000 || i === count - 1) {
      if (!out.write(batch.join("\n") + "\n")) await once(out, "drain");
      batch = [];
    }
    if ((i + 1) % 200_000 === 0 || i === count - 1) {
      process.stdout.write(`\r  generating ${label}: ${(i + 1).toLocaleString("en")} / ${count.toLocaleString("en")}   `);
    }
  }
  out.end();
  await once(out, "finish");
  process.stdout.write(
    `\r  generated ${label}: ${count.toLocaleString("en")} lines, ${(statSync(file).size / MB).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

const money = (cents: number) => ({ shopMoney: { amount: (cents / 100).toFixed(2) } });

function orderLine(i: number): string {
  const id = 5_000_000_000 + i;
  const customer = i % 9 === 8 ? null : 6_000_000_000 + ((i * 7919) % CUSTOMERS);
  const subtotal = 1000 + ((i * 7907) % 19000);
  const refunded = i % 10 === 3 ? Math.floor(subtotal / 3) : 0;
  const at = new Date(Date.UTC(2023, 0, 1) + Math.floor((i / ORDERS) * 3 * 365 * 86_400_000)).toISOString();
  return JSON.stringify({
    id: `gid://shopify/Order/${id}`,
    name: `#${1000 + i}`,
    createdAt: at,
    processedAt: at,
    cancelledAt: i % 50 === 17 ? at : null,
    test: i % 500 === 99,
    currencyCode: "USD",
    displayFinancialStatus: refunded ? "PARTIALLY_REFUNDED" : "PAID",
    discountCodes: i % 20 === 0 ? ["WELCOME10"] : [],
    subtotalPriceSet: money(subtotal),
    currentSubtotalPriceSet: money(subtotal - refunded),
    totalPriceSet: money(subtotal + 950),
    customer: customer && {
      id: `gid://shopify/Customer/${customer}`,
      firstName: "Sam",
      lastName: `Shopper${customer % 1000}`,
      defaultEmailAddress: { emailAddress: `shopper${customer}@example.com` },
    },
    refunds: refunded
      ? [{ id: `gid://shopify/Refund/${id + 1_000_000_000}`, createdAt: at, totalRefundedSet: money(refunded + 100) }]
      : [],
  });
}

function customerLine(i: number): string {
  const id = 6_000_000_000 + i;
  return JSON.stringify({
    id: `gid://shopify/Customer/${id}`,
    firstName: "Sam",
    lastName: `Shopper${i % 1000}`,
    defaultEmailAddress: { emailAddress: `shopper${id}@example.com` },
  });
}

// ---------------------------------------------------------------------------------------------
// 2. A local "Shopify": the Admin API's bulk-operation calls, and the files at their URLs.

function startShopify(files: Record<"orders" | "customers", { path: string; lines: number }>) {
  const ops = new Map<string, "orders" | "customers">();
  let base = "";
  const server = http.createServer(async (req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/files/")) {
      const what = req.url.slice("/files/".length).replace(/\.jsonl.*$/, "") as "orders" | "customers";
      res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": statSync(files[what].path).size });
      createReadStream(files[what].path, { highWaterMark: 256 * 1024 }).pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const operation = (id: string) => {
      const what = ops.get(id)!;
      return {
        id,
        status: "COMPLETED",
        errorCode: null,
        objectCount: String(files[what].lines),
        rootObjectCount: String(files[what].lines),
        url: `${base}/files/${what}.jsonl?X-Goog-Signature=bench`,
        partialDataUrl: null,
        createdAt: new Date().toISOString(),
        completedAt: new Date().toISOString(),
      };
    };
    let data: unknown;
    if (/RegularsBulkRunQuery/.test(query)) {
      const id = `gid://shopify/BulkOperation/${ops.size + 1}`;
      ops.set(id, /^\s*\{\s*orders/.test(variables.query) ? "orders" : "customers");
      data = { bulkOperationRunQuery: { bulkOperation: { ...operation(id), status: "CREATED", url: null }, userErrors: [] } };
    } else if (/RegularsBulkOperation/.test(query)) {
      data = { node: operation(variables.id) };
    } else {
      res.writeHead(400).end(JSON.stringify({ errors: [{ message: "unknown operation" }] }));
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ data }));
  });
  server.listen(0, "127.0.0.1");
  return once(server, "listening").then(() => {
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url: base, close: () => server.close() };
  });
}

// ---------------------------------------------------------------------------------------------

/** The import process's entry as one JavaScript file (packages stay in node_modules, as in the build). */
async function compiledImporter(): Promise<string> {
  const outfile = path.resolve(".cache/bench/backfill-import.mjs");
  await build({
    entryPoints: [path.resolve("bench/support/backfill-import.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}

type ImportReport = {
  seconds: number;
  peakRssMb: number;
  rssAtStartMb: number;
  maxRssMb: number;
  status: string;
  lastError: string | null;
};

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "regulars-bench-backfill-"));
  console.log(
    `Backfill bench: ${ORDERS.toLocaleString("en")} orders, ${CUSTOMERS.toLocaleString("en")} customers, chunks of ${args.chunk} lines`,
  );
  const files = {
    orders: { path: path.join(dir, "orders.jsonl"), lines: ORDERS },
    customers: { path: path.join(dir, "customers.jsonl"), lines: CUSTOMERS },
  };
  await writeLines(files.orders.path, ORDERS, orderLine, "orders");
  await writeLines(files.customers.path, CUSTOMERS, customerLine, "customers");

  const databaseUrl = await freshBenchDatabase(dir, args.postgres);
  const dialect = dialectOf(databaseUrl);
  const shopify = await startShopify(files);

  console.log(`Importing into ${dialect === "postgres" ? "PostgreSQL" : "SQLite"}`);
  const importer = fork(await compiledImporter(), [], {
    execArgv: [],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      BENCH_SHOP: SHOP,
      BENCH_SHOPIFY_URL: shopify.url,
      BENCH_CHUNK_LINES: args.chunk,
    },
  });
  let report: ImportReport | null = null;
  importer.on("message", (message) => (report = message as ImportReport));
  const [code] = (await once(importer, "exit")) as [number | null];
  shopify.close();
  const result = report as ImportReport | null;
  if (code !== 0 || !result) throw new Error(`the import process exited with ${code}`);
  if (result.status !== "done") throw new Error(`backfill ended ${result.status}: ${result.lastError}`);
  const { seconds, peakRssMb, rssAtStartMb, maxRssMb } = result;

  process.env.DATABASE_URL = databaseUrl;
  const { db } = await import("../app/db.server");
  const [orders, refunds, customers, ledger] = await Promise.all([
    db.order.count({ where: { shop: SHOP } }),
    db.refund.count({ where: { shop: SHOP } }),
    db.customer.count({ where: { shop: SHOP } }),
    db.ledgerEntry.count({ where: { shop: SHOP } }),
  ]);
  const lines = ORDERS + CUSTOMERS;
  console.log(
    `\nResult (${dialect}): ${orders.toLocaleString("en")} orders, ${refunds.toLocaleString("en")} refunds, ${customers.toLocaleString("en")} customers, ${ledger} ledger rows`,
  );
  console.log(`  time        ${seconds.toFixed(1)} s  (target < 60 s)`);
  console.log(
    `  throughput  ${Math.round(lines / seconds).toLocaleString("en")} lines/s, ${Math.round(ORDERS / seconds).toLocaleString("en")} orders/s`,
  );
  console.log(
    `  peak RSS    ${peakRssMb.toFixed(0)} MB sampled in the import process (${rssAtStartMb.toFixed(0)} MB at its start); its maxRSS ${maxRssMb.toFixed(0)} MB  (target < 300 MB)`,
  );
  const ok = orders === ORDERS && customers === CUSTOMERS && ledger === 0;
  if (!ok) console.log("  MISMATCH: expected every order and customer once and no ledger rows");
  writeFigures(args.json, {
    bench: "backfill",
    dialect,
    orders: ORDERS,
    customers: CUSTOMERS,
    seconds,
    linesPerSecond: lines / seconds,
    peakRssMb,
    rssAtStartMb,
    maxRssMb,
    imported: { orders, refunds, customers, ledger },
    ok,
  });
  await db.$disconnect();
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
