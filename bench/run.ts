// `npm run bench`: every bench in turn, then one table of what was measured beside its target.
// Each bench runs as its own process (as `npm run bench:…` runs it, output shown as it goes) and
// writes its figures with `--json`; this file only chooses sizes, starts PostgreSQL when none is
// given, reads the figures and judges them. Needs the built server (`npm run build`).
//   npm run bench -- [--quick] [--postgres ADMIN_URL] [--only widget,storefront,webhooks,kpis,backfill,retention,lcp] [--json FILE]
//   npm run bench -- --from FILE   (print the table of a run saved with --json again, running nothing)
// --quick runs every bench at small sizes to show the whole thing works; its figures are not at the
// target sizes and the table says so. Without --postgres a throwaway server is started
// (.ci/postgres.sh, fsync off) and stopped at the end.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildWidget } from "../scripts/build-widget";
import { writeFigures } from "./support/figures";
import { judge, renderTable, type Figures } from "./support/table";

const BENCHES = ["widget", "storefront", "webhooks", "kpis", "backfill", "retention", "lcp"] as const;
type Bench = (typeof BENCHES)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    postgres: { type: "string" },
    only: { type: "string" },
    json: { type: "string" },
    from: { type: "string" },
  },
});
const only = new Set((args.only?.split(",").map((s) => s.trim()) ?? BENCHES) as Bench[]);
for (const name of only) if (!BENCHES.includes(name)) throw new Error(`unknown bench "${name}" (one of ${BENCHES.join(", ")})`);
const wants = (name: Bench) => only.has(name);

/** Arguments per bench: the benches' own defaults (the target sizes), or small ones with --quick. */
const SIZES = args.quick
  ? {
      storefront: ["--runs", "1"],
      webhooks: ["--seconds", "3"],
      kpis: ["--orders", "20000", "--cold", "2", "--warm", "5"],
      backfill: ["--orders", "20000"],
      retention: ["--events", "5000"],
      lcp: ["--loads", "3"],
    }
  : { storefront: [], webhooks: [], kpis: [], backfill: [], retention: [], lcp: [] };

const scratch = mkdtempSync(path.join(tmpdir(), "regulars-bench-run-"));
const failures: string[] = [];

/** Runs one bench script to completion, its output shown as it goes; returns its figures. */
function runBench<T>(label: string, script: string, extra: string[]): T | undefined {
  const file = path.join(scratch, `${label.replace(/\W+/g, "-")}.json`);
  // Each bench starts with the previous one's writes on disk: this box's disk is slow, and a
  // bench's timings otherwise included flushing the gigabyte of files and tables left before it.
  execFileSync("sync");
  console.log(`\n=== ${label}: tsx ${script} ${extra.join(" ")}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...extra, "--json", file], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  console.log(`=== ${label}: exit ${run.status ?? run.signal} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (run.status !== 0) failures.push(`${label} exited ${run.status ?? run.signal}`);
  if (!existsSync(file)) {
    failures.push(`${label} wrote no figures`);
    return undefined;
  }
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The PostgreSQL to use: the one given, or a throwaway server started here. */
async function postgres(): Promise<{ url: string; stop: () => void }> {
  if (args.postgres) return { url: args.postgres, stop: () => {} };
  const port = String(await freePort());
  // Its own directory under the temp dir (not inside the private scratch one): run as root, the
  // script hands the directory to the postgres user, who must be able to reach it.
  const dir = path.join(tmpdir(), `regulars-bench-pg-${port}`);
  const url = execFileSync("bash", [".ci/postgres.sh", dir, port], { encoding: "utf8" }).trim();
  console.log(`PostgreSQL started for the benches: ${url} (data in ${dir})`);
  return {
    url,
    stop: () => {
      execFileSync("bash", [".ci/postgres.sh", dir, port, "stop"], { stdio: "inherit" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  if (args.from) {
    const saved = JSON.parse(readFileSync(args.from, "utf8")) as Figures;
    console.log(renderTable(judge(saved), saved));
    rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if ((wants("webhooks") || wants("lcp")) && !existsSync("build/index.js")) {
    throw new Error("the webhook and admin LCP benches drive the built server: run `npm run build` first");
  }
  // The storefront and admin LCP benches drive Debian's Chromium: installed here when missing,
  // as `npm test` does, so a fresh machine runs the whole table.
  if (wants("storefront") || wants("lcp")) execFileSync("bash", ["scripts/ensure-system.sh"], { stdio: "inherit" });
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const figures: Figures = { quick: args.quick };
  // Each PostgreSQL bench gets a server of its own (unless --postgres names one): the backfill
  // used to share it with the KPI bench's million orders and their pending checkpoint.
  const onPostgres = async <T>(label: string, script: string, extra: string[]): Promise<T | undefined> => {
    const pg = await postgres();
    try {
      return runBench<T>(label, script, [...extra, "--postgres", pg.url]);
    } finally {
      pg.stop();
    }
  };
  let keptKpiDatabase: string | undefined;
  try {
    if (wants("widget")) {
      const built = await buildWidget({ outdir: path.join(scratch, "widget") });
      figures.widget = {
        gzipBytes: built.totalGzip,
        bytes: built.totalBytes,
        assets: built.assets.map(({ file, bytes, gzip }) => ({ file, bytes, gzip })),
      };
      console.log(`\n=== widget: ${built.totalGzip} B gzipped (${built.assets.map((a) => `${a.file} ${a.gzip} B`).join(", ")})`);
    }
    if (wants("storefront")) figures.storefront = runBench("storefront", "bench/storefront-cost.ts", SIZES.storefront);
    if (wants("webhooks")) figures.webhooks = runBench("webhooks", "bench/webhooks.ts", SIZES.webhooks);
    if (wants("kpis")) {
      // The SQLite shop is kept for the admin LCP bench: the dashboard of the shop just timed.
      const keep = wants("lcp") ? ["--keep"] : [];
      figures.kpisSqlite = runBench("kpis sqlite", "bench/kpis.ts", [...SIZES.kpis, ...keep]);
      keptKpiDatabase = (figures.kpisSqlite as { databaseUrl?: string } | undefined)?.databaseUrl;
      figures.kpisPostgres = await onPostgres("kpis postgres", "bench/kpis.ts", SIZES.kpis);
    }
    if (wants("backfill")) {
      figures.backfillSqlite = runBench("backfill sqlite", "bench/backfill.ts", SIZES.backfill);
      figures.backfillPostgres = await onPostgres("backfill postgres", "bench/backfill.ts", SIZES.backfill);
    }
    if (wants("retention")) figures.retention = runBench("retention", "bench/inbox-retention.ts", SIZES.retention);
    if (wants("lcp")) {
      const shop = keptKpiDatabase ? ["--database", keptKpiDatabase] : args.quick ? ["--orders", "20000"] : [];
      figures.lcp = runBench("admin lcp", "bench/admin-lcp.ts", [...SIZES.lcp, ...shop]);
    }
  } finally {
    if (keptKpiDatabase) rmSync(path.dirname(keptKpiDatabase.replace(/^file:/, "")), { recursive: true, force: true });
  }
  figures.machine = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    cpus: os.availableParallelism(),
    memoryGb: os.totalmem() / 1024 ** 3,
    loadBefore,
    loadAfter: os.loadavg(),
    node: process.version,
  };
  const rows = judge(figures);
  console.log(`\n${renderTable(rows, figures)}`);
  if (failures.length) console.log(`\nBenches that did not finish cleanly: ${failures.join("; ")}`);
  writeFigures(args.json, { ...figures, rows });
  rmSync(scratch, { recursive: true, force: true });
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
