// What the widget costs a storefront in Lighthouse: the same theme-like page, of a real store's
// weight (a render-blocking theme stylesheet, web fonts, a hero image and a product grid, a theme
// script and an analytics script that work on load), with and without the rewards embed exactly
// as the theme app extension renders it (app/storefront/fixture-page.ts) and its built assets.
// Lighthouse's default run (mobile, simulated throttling) on Debian's Chromium, the two pages in
// turn several times; the cost is the median score without the widget minus the median with it.
// Target (README.md, Benchmarks): ≤ 2 performance points.
//   npm run bench:storefront -- [--runs 5] [--json FILE]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { crc32, deflateSync } from "node:zlib";
import lighthouse from "lighthouse";
import { buildWidget } from "../scripts/build-widget";
import { writeFigures } from "./support/figures";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "5" }, json: { type: "string" } },
});
const RUNS = Number(args.runs);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TARGET_POINTS = 2;

// ---------------------------------------------------------------------------------------------
// 1. The store: generated once, served from memory.

/** An RGB PNG of a soft gradient with fine grain: about the bytes of a store's optimised photo. */
function png(width: number, height: number, seed: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let state = seed;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 31) * 3;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * 3;
      raw[i] = (120 + (x * 90) / width + noise()) & 255;
      raw[i + 1] = (90 + (y * 110) / height + noise()) & 255;
      raw[i + 2] = (150 + seed * 7 + noise()) & 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A theme stylesheet of a real theme's size (~60 KB): many small component rules. */
function themeCss(): string {
  const rules = [
    `@font-face{font-family:Store;src:url(/fonts/regular.ttf) format("truetype");font-display:swap}`,
    `@font-face{font-family:Store;font-weight:700;src:url(/fonts/bold.ttf) format("truetype");font-display:swap}`,
    `body{margin:0;font-family:Store,system-ui,sans-serif;color:#121212;background:#fff;line-height:1.5}`,
    `.announcement{background:#121212;color:#fff;text-align:center;padding:8px;font-size:13px}`,
    `.header{display:flex;gap:24px;align-items:center;padding:18px 32px;border-bottom:1px solid #eee}`,
    `.hero{position:relative}.hero img{width:100%;height:auto;display:block;aspect-ratio:2/1;object-fit:cover}`,
    `.hero h1{position:absolute;left:32px;bottom:32px;margin:0;color:#fff;font-size:40px}`,
    `.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:16px;padding:32px}`,
    `.card img{width:100%;height:auto;aspect-ratio:1;display:block}.card h3{font-size:15px;margin:8px 0 2px}`,
    `.footer{padding:48px 32px;background:#f3f3f3;margin-top:48px}`,
  ];
  for (let i = 0; i < 900; i++) {
    rules.push(
      `.c-${i}{margin:${i % 7}px ${i % 5}px;padding:${i % 11}px;color:#${(i * 2654435).toString(16).slice(0, 6).padEnd(6, "0")}}`,
      `.c-${i}:hover .c-${i}__inner{transform:translateY(-${i % 3}px);transition:transform .2s}`,
    );
  }
  return rules.join("\n");
}

/** A theme script (~120 KB) that builds its menus and product cards' behaviour on load. */
function themeJs(): string {
  const helpers: string[] = [];
  for (let i = 0; i < 600; i++) {
    helpers.push(
      `function component${i}(root){var els=root.querySelectorAll('.c-${i % 50}');for(var j=0;j<els.length;j++){els[j].setAttribute('data-ready','${i}')}return els.length+${i}}`,
    );
  }
  return `(function(){${helpers.join("\n")}
document.addEventListener('DOMContentLoaded',function(){
  var t=performance.now(),n=0;while(performance.now()-t<40){n+=component${599}(document)}
  var menu=document.createElement('nav');for(var i=0;i<120;i++){var a=document.createElement('a');a.href='/collections/'+i;a.textContent='Collection '+i;menu.appendChild(a)}
  menu.hidden=true;document.body.appendChild(menu);
});})();`;
}

/** An analytics script (async): collects the page's details and sends a beacon. */
function analyticsJs(): string {
  const pad = Array.from(
    { length: 300 },
    (_, i) => `function h${i}(s){var x=0;for(var k=0;k<s.length;k++){x=(x*31+s.charCodeAt(k)+${i})|0}return x}`,
  );
  return `(function(){${pad.join("\n")}
var t=performance.now(),x=0;while(performance.now()-t<25){x+=h${299}(document.documentElement.outerHTML.slice(0,5000))}
fetch('/collect',{method:'POST',body:JSON.stringify({x:x,u:location.pathname}),keepalive:true});})();`;
}

function page(widgetHtml: string): string {
  const cards = Array.from(
    { length: 12 },
    (_, i) =>
      `<a class="card c-${i}" href="/products/${i}"><img src="/img/product-${i % 6}.png" width="300" height="300" loading="${i < 4 ? "eager" : "lazy"}" alt="Product ${i}"><h3>Product ${i + 1}</h3><p>$${(19 + i * 7).toFixed(2)}</p></a>`,
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Theme-like store</title>
<link rel="preload" href="/fonts/regular.ttf" as="font" type="font/ttf" crossorigin>
<link rel="stylesheet" href="/theme.css">
<script src="/theme.js" defer></script>
<script src="/analytics.js" async></script>
</head>
<body>
<div class="announcement">Free shipping on orders over $50</div>
<header class="header"><strong>Store</strong><a href="/collections/all">Shop</a><a href="/pages/about">About</a><a href="/cart">Cart (0)</a></header>
<main>
<section class="hero"><img src="/img/hero.png" width="800" height="400" alt="New season" fetchpriority="high"><h1>The new season is here</h1></section>
<section class="grid">${cards}</section>
</main>
<footer class="footer c-1"><p>© Store. Powered by a theme.</p></footer>
${widgetHtml}
</body>
</html>`;
}

async function store(widgetDir: string, widgetFiles: string[]) {
  const files = new Map<string, { type: string; body: Buffer | string }>();
  files.set("/theme.css", { type: "text/css", body: themeCss() });
  files.set("/theme.js", { type: "text/javascript", body: themeJs() });
  files.set("/analytics.js", { type: "text/javascript", body: analyticsJs() });
  files.set("/img/hero.png", { type: "image/png", body: png(800, 400, 1) });
  for (let i = 0; i < 6; i++) files.set(`/img/product-${i}.png`, { type: "image/png", body: png(300, 300, i + 2) });
  // Debian's Liberation fonts (fonts-liberation, a dependency of chromium) stand in for a theme's.
  const fonts = "/usr/share/fonts/truetype/liberation";
  for (const [name, file] of [
    ["regular", "LiberationSansNarrow-Regular.ttf"],
    ["bold", "LiberationSansNarrow-Bold.ttf"],
  ]) {
    if (existsSync(path.join(fonts, file)))
      files.set(`/fonts/${name}.ttf`, { type: "font/ttf", body: readFileSync(path.join(fonts, file)) });
  }
  for (const file of widgetFiles) {
    files.set(`/assets/${file}`, {
      type: file.endsWith(".css") ? "text/css" : "text/javascript",
      body: readFileSync(path.join(widgetDir, file)),
    });
  }
  // The embed as Liquid renders it for a signed-in customer whose balance metafield is set.
  process.env.REGULARS_WIDGET_DIR ??= path.resolve("extensions/rewards-widget");
  const { renderWidget } = await import("../app/storefront/fixture-page");
  files.set("/", { type: "text/html", body: page("") });
  files.set("/with-widget", {
    type: "text/html",
    body: page(renderWidget({ customer: true, points: 1250, assetBase: "/assets/" })),
  });

  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && url === "/collect") {
      req.resume();
      res.writeHead(204).end();
      return;
    }
    const file = files.get(url);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    // As a storefront CDN serves them: cacheable assets, compressed in transit is left to the
    // simulation (Lighthouse estimates transfer from the bytes).
    res.writeHead(200, {
      "Content-Type": file.type,
      "Cache-Control": url === "/" || url === "/with-widget" ? "no-cache" : "max-age=3600",
    });
    res.end(file.body);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const sizes = Object.fromEntries([...files].map(([name, f]) => [name, Buffer.byteLength(f.body)]));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sizes };
}

// ---------------------------------------------------------------------------------------------
// 2. Chromium with a DevTools port, for Lighthouse.

async function launchChromium(profile: string): Promise<{ port: number; chromium: ChildProcess }> {
  const chromium = spawn(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not open DevTools in 20 s:\n${text}`)), 20_000);
    chromium.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    chromium.once("exit", (code) => reject(new Error(`Chromium exited (${code}):\n${text}`)));
  });
  chromium.stderr!.resume();
  return { port, chromium };
}

// ---------------------------------------------------------------------------------------------
// 3. The runs.

type Run = { score: number; fcpMs: number; lcpMs: number; tbtMs: number; cls: number; speedIndexMs: number };

async function audit(url: string, port: number): Promise<Run> {
  const result = await lighthouse(url, { port, output: "json", logLevel: "error", onlyCategories: ["performance"] });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
  const value = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  return {
    score: Math.round((lhr.categories.performance.score ?? 0) * 100),
    fcpMs: value("first-contentful-paint"),
    lcpMs: value("largest-contentful-paint"),
    tbtMs: value("total-blocking-time"),
    cls: value("cumulative-layout-shift"),
    speedIndexMs: value("speed-index"),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const medians = (runs: Run[]) =>
  Object.fromEntries((Object.keys(runs[0]) as (keyof Run)[]).map((k) => [k, median(runs.map((r) => r[k]))])) as Run;

async function main() {
  const scratch = mkdtempSync(path.join(tmpdir(), "regulars-storefront-"));
  const built = await buildWidget({ outdir: path.join(scratch, "widget") });
  const shop = await store(
    path.join(scratch, "widget"),
    built.assets.map((a) => a.file),
  );
  const { port, chromium } = await launchChromium(path.join(scratch, "profile"));
  const without: Run[] = [];
  const withWidget: Run[] = [];
  try {
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    console.log(
      `  page: ${kb(Object.values(shop.sizes).reduce((a, b) => a + b, 0))} (${Object.entries(shop.sizes)
        .filter(([name]) => !name.startsWith("/assets/"))
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(", ")}); widget ${built.totalGzip} B gzipped`,
    );
    // One warm-up of each (Chromium's first navigation pays for starting its renderer).
    await audit(`${shop.base}/`, port);
    await audit(`${shop.base}/with-widget`, port);
    for (let i = 0; i < RUNS; i++) {
      // In turn, and which goes first alternates: whatever the browser carries from one run to the
      // next (caches, memory) weighs on both pages alike.
      if (i % 2 === 0) without.push(await audit(`${shop.base}/`, port));
      withWidget.push(await audit(`${shop.base}/with-widget`, port));
      if (i % 2 === 1) without.push(await audit(`${shop.base}/`, port));
      const [a, b] = [without.at(-1)!, withWidget.at(-1)!];
      console.log(
        `  run ${i + 1}/${RUNS}: without ${a.score} (TBT ${a.tbtMs.toFixed(0)} ms)  with ${b.score} (TBT ${b.tbtMs.toFixed(0)} ms)`,
      );
    }
  } finally {
    const exited = new Promise((resolve) => chromium.once("exit", resolve));
    chromium.kill();
    await exited; // its profile directory is removed below
    shop.server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const a = medians(without);
  const b = medians(withWidget);
  const cost = a.score - b.score;
  const line = (label: string, r: Run) =>
    `  ${label.padEnd(16)} score ${String(r.score).padStart(3)}  FCP ${r.fcpMs.toFixed(0)} ms  LCP ${r.lcpMs.toFixed(0)} ms  TBT ${r.tbtMs.toFixed(0)} ms  CLS ${r.cls.toFixed(3)}  SI ${r.speedIndexMs.toFixed(0)} ms`;
  console.log(`\nMedians of ${RUNS} Lighthouse runs each (mobile, simulated throttling):`);
  console.log(line("without widget", a));
  console.log(line("with widget", b));
  console.log(`  cost of the widget: ${cost} points  (target ≤ ${TARGET_POINTS})`);
  writeFigures(args.json, {
    runs: RUNS,
    without: a,
    with: b,
    costPoints: cost,
    pageBytes: shop.sizes,
    widgetGzipBytes: built.totalGzip,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
