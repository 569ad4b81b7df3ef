/**
 * Builds the storefront rewards widget (theme app extension) with esbuild:
 *   extensions/rewards-widget/src/loader.ts  -> assets/regulars-loader.js (classic deferred script, IIFE)
 *   extensions/rewards-widget/src/panel.ts   -> assets/regulars-panel.js  (ES module, import()ed on first open)
 *   extensions/rewards-widget/src/panel.css  -> minified into regulars-panel.js as PANEL_CSS (the panel
 *     adds it as a <style> when it loads: one request, and one gzip stream shares the class names)
 * and reports raw and gzip (level 9) sizes. Budget (extensions/rewards-widget/README.md): both ≤ 6 KB gzipped
 * with the launcher's inline CSS.
 *
 * Usage: `tsx scripts/build-widget.ts [--outdir DIR]`, or `buildWidget()` from code/tests.
 */
import { build, type BuildOptions } from "esbuild";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const WIDGET_DIR = resolve(fileURLToPath(new URL("../extensions/rewards-widget", import.meta.url)));
export const WIDGET_ASSETS = ["regulars-loader.js", "regulars-panel.js"] as const;
export const WIDGET_BUDGET_GZIP = 6144;

export interface BuiltAsset {
  file: string;
  path: string;
  bytes: number;
  gzip: number;
}
export interface WidgetBuild {
  outdir: string;
  assets: BuiltAsset[];
  totalBytes: number;
  totalGzip: number;
}

/** Storefront browsers: dynamic import(), optional chaining, logical CSS properties. */
const TARGET = ["es2020", "chrome91", "edge91", "firefox90", "safari15", "ios15"];

export const gzipSize = (buf: Buffer | string) => gzipSync(buf, { level: 9 }).length;

export async function buildWidget(opts: { outdir?: string; minify?: boolean } = {}): Promise<WidgetBuild> {
  const outdir = resolve(opts.outdir ?? join(WIDGET_DIR, "assets"));
  const src = join(WIDGET_DIR, "src");
  const common: BuildOptions = {
    bundle: true,
    minify: opts.minify ?? true,
    target: TARGET,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    write: true,
  };
  const css = await build({ ...common, entryPoints: [join(src, "panel.css")], write: false, outdir });
  const cssText = css.outputFiles[0].text.trim();
  await Promise.all([
    build({ ...common, entryPoints: [join(src, "loader.ts")], outfile: join(outdir, WIDGET_ASSETS[0]), format: "iife" }),
    build({
      ...common,
      entryPoints: [join(src, "panel.ts")],
      outfile: join(outdir, WIDGET_ASSETS[1]),
      format: "esm",
      define: { PANEL_CSS: JSON.stringify(cssText) },
    }),
  ]);
  const assets = WIDGET_ASSETS.map((file) => {
    const path = join(outdir, file);
    const buf = readFileSync(path);
    return { file, path, bytes: buf.length, gzip: gzipSize(buf) };
  });
  return {
    outdir,
    assets,
    totalBytes: assets.reduce((n, a) => n + a.bytes, 0),
    totalGzip: assets.reduce((n, a) => n + a.gzip, 0),
  };
}

export function formatReport(b: WidgetBuild): string {
  const rows = b.assets.map(
    (a) => `  ${a.file.padEnd(22)} ${String(a.bytes).padStart(6)} B  ${String(a.gzip).padStart(5)} B gzip`,
  );
  rows.push(
    `  ${"total".padEnd(22)} ${String(b.totalBytes).padStart(6)} B  ${String(b.totalGzip).padStart(5)} B gzip` +
      `  (budget ${WIDGET_BUDGET_GZIP} B)`,
  );
  return rows.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--outdir");
  buildWidget({ outdir: i > 0 ? process.argv[i + 1] : undefined }).then(
    (b) => {
      console.log(`rewards widget -> ${b.outdir}\n${formatReport(b)}`);
      if (b.totalGzip > WIDGET_BUDGET_GZIP) {
        console.error(`widget over budget: ${b.totalGzip} > ${WIDGET_BUDGET_GZIP} bytes gzipped`);
        process.exit(1);
      }
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
