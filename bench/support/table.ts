// The targets every bench is held to, and the one table `npm run bench` prints (Markdown, so the
// README can show it as printed). Targets: README.md, Benchmarks.
import { WIDGET_BUDGET_GZIP } from "../../scripts/build-widget";

interface Webhooks {
  seconds: number;
  concurrency: number;
  ratio: number;
  ledgerSound: boolean;
  drainSeconds: number;
  bare: { deliveriesPerSecond: number };
  app: { deliveriesPerSecond: number; ok: number; failed: number; p50Ms: number; p99Ms: number };
}
interface Kpis {
  orders: number;
  customers: number;
  bestColdMs: number;
  warmMedianMs: number;
  warmP95Ms: number;
}
interface Backfill {
  orders: number;
  seconds: number;
  peakRssMb: number;
  rssAtStartMb: number;
  maxRssMb: number;
  ok: boolean;
}
interface Retention {
  events: number;
  sweepSeconds: number;
  bodiesDropped: number;
  rowsDeleted: number;
  before: { rows: number; bodies: number };
  after: { rows: number; bodies: number };
  fileRatio: number;
}
interface Lcp {
  orders: number | null;
  coldMs: number[];
  loadsMs: number[];
  medianMs: number;
  element: string;
}

interface LighthouseRun {
  score: number;
  tbtMs: number;
  lcpMs: number;
  cls: number;
}
interface Storefront {
  runs: number;
  without: LighthouseRun;
  with: LighthouseRun;
  costPoints: number;
}

export interface Figures {
  quick: boolean;
  storefront?: Storefront;
  widget?: { gzipBytes: number; bytes: number; assets?: { file: string; bytes: number; gzip: number }[] };
  webhooks?: Webhooks;
  kpisSqlite?: Kpis;
  kpisPostgres?: Kpis;
  backfillSqlite?: Backfill;
  backfillPostgres?: Backfill;
  retention?: Retention;
  lcp?: Lcp;
  machine?: {
    startedAt: string;
    finishedAt: string;
    cpus: number;
    memoryGb: number;
    loadBefore: number[];
    loadAfter: number[];
    node: string;
  };
}

export interface Row {
  what: string;
  size: string;
  measured: string;
  target: string;
  pass: boolean | null;
}

/** The widget's budget in the product's quality bars (the build script fails only past its own, larger, WIDGET_BUDGET_GZIP). */
export const WIDGET_TARGET_GZIP = 6 * 1024;

const n = (value: number, digits = 0) =>
  value.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => (value >= 1000 ? `${n(value / 1000, 2)} s` : `${n(value, value < 10 ? 1 : 0)} ms`);

/** Every figure beside its target, pass or fail; a bench that did not report gives a failing row. */
export function judge(f: Figures): Row[] {
  const rows: Row[] = [];
  const missing = (what: string) =>
    rows.push({ what, size: "—", measured: "no figures (bench failed)", target: "—", pass: false });
  if (f.webhooks) {
    const w = f.webhooks;
    const size = `${n(w.seconds)} s sustained, ${w.concurrency} connections, SQLite`;
    rows.push({
      what: "Webhook ingest (signed orders/paid)",
      size,
      measured: `${n(w.app.deliveriesPerSecond)} deliveries/s`,
      target: "≥ 1,500 /s",
      pass: w.app.deliveriesPerSecond >= 1500,
    });
    rows.push({
      what: "Webhook ingest ÷ bare HMAC server",
      size: `bare: ${n(w.bare.deliveriesPerSecond)} /s`,
      measured: n(w.ratio, 2),
      target: "≥ 0.16",
      pass: w.ratio >= 0.16,
    });
    rows.push({
      what: "Webhook ingest p99 latency",
      size: `p50 ${ms(w.app.p50Ms)}`,
      measured: ms(w.app.p99Ms),
      target: "< 100 ms",
      pass: w.app.p99Ms < 100,
    });
    rows.push({
      what: "Webhook awards after the burst",
      size: `${n(w.app.ok)} acknowledged, drained in ${n(w.drainSeconds, 1)} s`,
      measured: w.ledgerSound ? "one award per order" : "MISMATCH",
      target: "none lost or doubled",
      pass: w.ledgerSound,
    });
  } else if ("webhooks" in f) missing("Webhook ingest");
  for (const [label, k] of [
    ["SQLite", f.kpisSqlite],
    ["PostgreSQL", f.kpisPostgres],
  ] as const) {
    if (!k) {
      if (`kpis${label === "SQLite" ? "Sqlite" : "Postgres"}` in f) missing(`KPI dashboard data, ${label}`);
      continue;
    }
    const size = `${n(k.orders)} orders / ${n(k.customers)} customers`;
    rows.push({
      what: `KPI dashboard data, ${label}, cold`,
      size,
      measured: ms(k.bestColdMs),
      target: "< 2 s",
      pass: k.bestColdMs < 2000,
    });
    rows.push({
      what: `KPI dashboard data, ${label}, warm (median)`,
      size,
      measured: ms(k.warmMedianMs),
      target: "< 200 ms",
      pass: k.warmMedianMs < 200,
    });
  }
  for (const [label, b] of [
    ["SQLite", f.backfillSqlite],
    ["PostgreSQL", f.backfillPostgres],
  ] as const) {
    if (!b) {
      if (`backfill${label === "SQLite" ? "Sqlite" : "Postgres"}` in f) missing(`Backfill, ${label}`);
      continue;
    }
    const size = `${n(b.orders)} orders (bulk JSONL)`;
    rows.push({
      what: `Backfill, ${label}, time`,
      size,
      measured: `${n(b.seconds, 1)} s`,
      target: "< 60 s",
      pass: b.seconds < 60 && b.ok,
    });
    rows.push({
      what: `Backfill, ${label}, peak memory`,
      size: `import process: ${n(b.rssAtStartMb, 0)} MB at start, kernel max ${n(b.maxRssMb, 1)} MB`,
      measured: `${n(b.peakRssMb, 1)} MB peak RSS`,
      target: "< 300 MB",
      pass: Math.max(b.peakRssMb, b.maxRssMb) < 300,
    });
  }
  if (f.retention) {
    const r = f.retention;
    // Bodies are spread evenly over 30 days and kept 7: about 7/30 of them stay, every row stays.
    const kept = r.after.bodies / r.before.bodies;
    const pass = r.after.rows === r.before.rows && kept > 0.2 && kept < 0.27;
    rows.push({
      what: "Webhook inbox retention sweep",
      size: `${n(r.events)} processed events over 30 days`,
      measured: `${n(r.bodiesDropped)} bodies dropped in ${n(r.sweepSeconds, 2)} s; file ×${n(r.fileRatio, 2)}`,
      target: "bodies > 7 days gone, rows kept",
      pass,
    });
  } else if ("retention" in f) missing("Webhook inbox retention sweep");
  if (f.widget) {
    rows.push({
      what: "Storefront widget (loader + panel JS + CSS)",
      size: `${n(f.widget.bytes)} B minified`,
      measured: `${n(f.widget.gzipBytes)} B gzipped`,
      target: `≤ ${n(WIDGET_TARGET_GZIP)} B (build budget ${n(WIDGET_BUDGET_GZIP)} B)`,
      pass: f.widget.gzipBytes <= WIDGET_TARGET_GZIP,
    });
  }
  if (f.storefront) {
    const s = f.storefront;
    rows.push({
      what: "Storefront page cost of the widget (Lighthouse performance)",
      size: `theme-like page, median of ${s.runs} runs: ${s.without.score} without, ${s.with.score} with (TBT ${n(s.without.tbtMs)} → ${n(s.with.tbtMs)} ms)`,
      measured: `${n(s.costPoints, 1)} points`,
      target: "≤ 2 points",
      pass: s.costPoints <= 2,
    });
  } else if ("storefront" in f) missing("Storefront page cost of the widget");
  if (f.lcp) {
    const l = f.lcp;
    const orders = l.orders ?? f.kpisSqlite?.orders;
    const shop = orders === undefined ? "a given shop" : `a ${n(orders)}-order shop`;
    rows.push({
      what: "Admin dashboard LCP (headless Chromium, localhost)",
      size: `${shop}; median of ${l.loadsMs.length} loads (first: ${l.coldMs.map((c) => n(c)).join("/")} ms)`,
      measured: ms(l.medianMs),
      target: "< 1 s",
      pass: l.medianMs < 1000,
    });
  } else if ("lcp" in f) missing("Admin dashboard LCP");
  return rows;
}

export function renderTable(rows: Row[], f: Figures): string {
  const lines = [
    f.quick
      ? "QUICK RUN (--quick): small sizes to show the benches work. NOT the target sizes; pass/fail is only indicative."
      : "Full run at the target sizes.",
    "",
    "| bench | size | measured | target | |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) => `| ${r.what} | ${r.size} | ${r.measured} | ${r.target} | ${r.pass === null ? "" : r.pass ? "pass" : "FAIL"} |`,
    ),
  ];
  const m = f.machine;
  if (m) {
    const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(" ");
    lines.push(
      "",
      `${m.startedAt.slice(0, 16).replace("T", " ")}–${m.finishedAt.slice(11, 16)} UTC, ${m.cpus} CPUs, ${n(m.memoryGb, 0)} GB, Node ${m.node}; ` +
        `load average (1/5/15 min) ${load(m.loadBefore)} before, ${load(m.loadAfter)} after.`,
    );
  }
  return lines.join("\n");
}
