// The import process of the backfill bench: only the app's own modules, no generated files or
// fake Shopify in memory, so the RSS it reports is the import's. Started by bench/backfill.ts
// with DATABASE_URL set; the parent holds the files and the local Admin API at BENCH_SHOPIFY_URL.
//   IPC in:  nothing (configuration comes through the environment)
//   IPC out: { seconds, peakRssMb, rssAtStartMb, maxRssMb, status, lastError }
const MB = 1024 * 1024;
const SHOP = process.env.BENCH_SHOP!;
const base = process.env.BENCH_SHOPIFY_URL!;
const chunkLines = Number(process.env.BENCH_CHUNK_LINES);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();
const rssMb = () => {
  const m = process.memoryUsage();
  return `${(m.rss / MB).toFixed(0)} MB (JS heap ${(m.heapUsed / MB).toFixed(0)} of ${(m.heapTotal / MB).toFixed(0)}, buffers ${(m.arrayBuffers / MB).toFixed(0)})`;
};

// What `unauthenticated.admin(shop).admin` is in the app: graphql(query, { variables }) → Response.
const admin = {
  graphql: (query: string, options?: { variables?: Record<string, unknown> }) =>
    fetch(`${base}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query, variables: options?.variables }),
    }),
};

async function main() {
  const { db } = await import("../../app/db.server");
  const { requestBackfill, runBackfill } = await import("../../app/backfill/jobs.server");
  await db.shop.create({ data: { domain: SHOP } });
  await db.programSettings.create({ data: { shop: SHOP } });

  console.log(`  import process started (RSS ${rssMb()})`);
  peakRss = process.memoryUsage().rss;
  const rssAtStart = peakRss;
  let lastPrint = 0;
  const started = performance.now();
  await requestBackfill(SHOP);
  const job = await runBackfill(SHOP, admin, {
    pollDelayMs: 0,
    chunkLines,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastPrint < 2000 && p.linesDone !== p.linesTotal) return;
      lastPrint = now;
      const eta = p.etaSeconds === null ? "?" : `${p.etaSeconds.toFixed(0)} s`;
      console.log(
        `  ${p.phase.padEnd(9)} ${p.linesDone.toLocaleString("en").padStart(9)} / ${(p.linesTotal ?? 0).toLocaleString("en")}  ${Math.round(p.ratePerSecond).toLocaleString("en")} lines/s  ETA ${eta}  RSS ${rssMb()}`,
      );
    },
  });
  const seconds = (performance.now() - started) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await db.$disconnect();
  process.send!({
    seconds,
    peakRssMb: peakRss / MB,
    rssAtStartMb: rssAtStart / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    status: job.status,
    lastError: job.lastError,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
