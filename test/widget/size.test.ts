/**
 * Widget budget (extensions/rewards-widget/README.md): everything the storefront widget ever loads —
 * loader + panel JS (which carries the panel CSS) — is ≤ 6 KB gzipped (zlib level 9).
 * The launcher's few CSS rules are inlined in the page by the snippet; they are
 * counted too, so the figure covers every byte of widget JS/CSS.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWidget, formatReport, gzipSize, WIDGET_BUDGET_GZIP, WIDGET_DIR } from "../../scripts/build-widget";

const outdir = mkdtempSync(join(tmpdir(), "regulars-widget-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("rewards widget size budget", () => {
  it("loader + panel JS with its CSS ≤ 6 KB gzipped", async () => {
    const b = await buildWidget({ outdir });
    const snippet = readFileSync(join(WIDGET_DIR, "snippets/regulars-widget.liquid"), "utf8");
    const inlineCss = snippet.match(/\{%-?\s*style\s*-?%\}([\s\S]*?)\{%-?\s*endstyle\s*-?%\}/)?.[1] ?? "";
    const inlineGzip = gzipSize(inlineCss.trim());
    console.log(
      `rewards widget, gzip -9:\n${formatReport(b)}\n  + launcher CSS inlined by the snippet: ${inlineGzip} B gzip` +
        ` -> ${b.totalGzip + inlineGzip} B of ${WIDGET_BUDGET_GZIP} B`,
    );
    expect(b.assets.map((a) => a.file)).toEqual(["regulars-loader.js", "regulars-panel.js"]);
    // the panel's CSS is in the module, minified
    expect(readFileSync(b.assets[1].path, "utf8")).toContain(".rg-p{");
    for (const a of b.assets) expect(a.bytes).toBeGreaterThan(0);
    expect(b.totalGzip).toBeLessThanOrEqual(WIDGET_BUDGET_GZIP);
    expect(b.totalGzip + inlineGzip).toBeLessThanOrEqual(WIDGET_BUDGET_GZIP);
    // the only script on the page before the first open stays tiny
    expect(b.assets[0].gzip).toBeLessThan(1024);
  });
});
