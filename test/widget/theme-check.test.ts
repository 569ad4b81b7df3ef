/**
 * Shopify's own linter on the theme app extension (it must pass on extensions/; see extensions/rewards-widget/README.md).
 * The built assets must exist (MissingAsset), so the widget is built first.
 * theme-check tries to refresh its Liquid docs from the network and falls back to the
 * copy bundled in @shopify/theme-check-docs-updater when offline.
 */
import { themeCheckRun } from "@shopify/theme-check-node";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWidget, WIDGET_DIR } from "../../scripts/build-widget";

describe("theme-check on extensions/rewards-widget", () => {
  beforeAll(async () => {
    await buildWidget();
  });

  it("reports no errors", async () => {
    const { offenses } = await themeCheckRun(WIDGET_DIR, undefined, () => {});
    const sev = ["error", "warning", "info"];
    const lines = offenses.map(
      (o) =>
        `${sev[o.severity] ?? o.severity} ${o.check} ${relative(WIDGET_DIR, fileURLToPath(o.uri))}:${o.start.index} ${o.message}`,
    );
    console.log(`theme-check: ${offenses.length} offense(s)${lines.length ? "\n" + lines.join("\n") : ""}`);
    expect(lines.filter((l) => l.startsWith("error "))).toEqual([]);
  }, 120_000);
});
