/**
 * The panel's strings come from Liquid `t` filters rendered into <script data-rg-i18n>
 * (snippets/regulars-widget.liquid). theme-check already verifies that every key exists
 * in en.default.json and that fa.json matches it; this checks the other half of the
 * contract: every string the panel code asks for is in that JSON, and every locale's
 * strings survive `t` (which HTML-escapes) and `json` unchanged.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extensionDir, i18nKeyMap, loadLocale, renderWidget, translate } from "./fixture-page";

const panelSrc = readFileSync(join(extensionDir(), "src/panel.ts"), "utf8");
const locales = readdirSync(join(extensionDir(), "locales"))
  .filter((f) => f.endsWith(".json") && !f.includes(".schema."))
  .map((f) => (f === "en.default.json" ? "en" : f.replace(/\.json$/, "")));

describe("widget strings", () => {
  const map = new Map(i18nKeyMap());

  it("the snippet renders every string the panel uses", () => {
    expect(map.size).toBeGreaterThan(40);
    const used = new Set<string>();
    for (const m of panelSrc.matchAll(/\bt\.(\w+)/g)) used.add(m[1]);
    for (const m of panelSrc.matchAll(/"(e409|e429|e503|e401|eGen|eNet|pt1|pts)"/g)) used.add(m[1]);
    // the member API's kinds (app/loyalty/widget-view.server.ts), worded by the panel
    for (const kind of ["order", "signup", "first_order", "nth_order", "birthday", "referral"]) used.add(`w_${kind}`);
    for (const kind of ["earn", "redeem", "refund", "expire", "adjust", "signup", "birthday", "referral", "first_order"])
      used.add(`h_${kind}`);
    for (const kind of ["nth_order", "tier_entry", "redeem_returned"]) used.add(`h_${kind}`);
    const missing = [...used].filter((k) => !map.has(k));
    expect(missing).toEqual([]);
  });

  it.each(locales)("%s: panel strings are plain text and render to valid JSON", (locale) => {
    const tree = loadLocale(locale) as { regulars: { panel: Record<string, string>; direction: string; digits: string } };
    for (const [key, value] of Object.entries(tree.regulars.panel)) {
      // `t` HTML-escapes its output; these characters would reach the shopper as entities
      expect(value, `${locale} regulars.panel.${key}`).not.toMatch(/[&<>"']/);
    }
    expect(["ltr", "rtl"]).toContain(tree.regulars.direction);
    expect([...tree.regulars.digits]).toHaveLength(10);
    const html = renderWidget({ locale, customer: true, points: 1234 });
    const json = html.match(/<script type="application\/json" data-rg-i18n>([\s\S]*?)<\/script>/)![1];
    const strings = JSON.parse(json) as Record<string, string>;
    for (const [k, key] of map) expect(strings[k]).toBe(translate(locale, key));
  });

  it("Persian: right-to-left and Persian digits on first paint", () => {
    const html = renderWidget({ locale: "fa", customer: true, points: 1234 });
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("۱۲۳۴ امتیاز");
    expect(renderWidget({ locale: "en", customer: true, points: 1 })).toContain(">1 point<");
  });
});
