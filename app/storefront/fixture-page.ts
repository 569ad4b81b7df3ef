/**
 * A static storefront page that contains the rewards widget exactly as
 * extensions/rewards-widget/snippets/regulars-widget.liquid renders it — without
 * Shopify. Used by the widget's browser test (test/widget/) and by the local storefront
 * preview (app/routes/preview.storefront.tsx); moved here from test/widget/fixture-page.ts,
 * which re-exports it, so app code never imports test code.
 *
 * It is a hand-written equivalent of the Liquid, but the parts that would drift
 * are read from the extension itself: the i18n key map of the <script data-rg-i18n>,
 * the launcher's inline CSS, the icon SVGs, and every string (locales/*.json, with the
 * `t` filter emulated: nested keys, one/other plurals, {{ count }}, HTML escaping).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { config } from "../config.server";

/**
 * The theme app extension, from the working directory (the server's build lives elsewhere); a
 * function so the configuration is read on use, not when this module loads.
 */
export const extensionDir = () => resolve(config().REGULARS_WIDGET_DIR);

export interface FixtureOptions {
  /** storefront locale (request.locale.iso_code): a file in locales/, `en` = en.default.json */
  locale?: string;
  /** a shopper is signed in (`customer` exists) */
  customer?: boolean;
  /** customer.metafields.regulars.points (null/undefined: metafield absent) */
  points?: number | null;
  /** render the "Rewards page" app block (panel inline) instead of the app embed */
  inline?: boolean;
  /** with `inline`: also enable the app embed on the same page (both blocks share the assets) */
  withEmbed?: boolean;
  /** what `asset_url` would return for assets/ (default "/assets/") */
  assetBase?: string;
  /** app proxy base path (data-proxy) */
  proxy?: string;
  /** routes.root_url ("/", or e.g. "/fa" without a trailing slash) */
  rootUrl?: string;
  currency?: string;
  blockId?: string;
  /** block settings */
  accent?: string;
  position?: "bottom-right" | "bottom-left";
  launcherText?: string;
  icon?: "gift" | "star" | "heart" | "none";
  showToGuests?: boolean;
  /** extra HTML appended to <main> */
  body?: string;
}

const read = (p: string) => readFileSync(join(extensionDir(), p), "utf8");

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Liquid `json` filter (Shopify escapes HTML-significant characters). */
const json = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

type Tree = { [k: string]: string | Tree };

export function loadLocale(locale: string): Tree {
  const file = locale === "en" ? "locales/en.default.json" : `locales/${locale}.json`;
  return JSON.parse(read(file));
}

/** The `t` filter: key lookup (falls back to en.default), plural by count, {{ var }} interpolation, escaped. */
export function translate(locale: string, key: string, vars: Record<string, string | number> = {}): string {
  const pick = (tree: Tree): string | Tree | undefined =>
    key.split(".").reduce<string | Tree | undefined>((n, k) => (n && typeof n === "object" ? n[k] : undefined), tree);
  let v = pick(loadLocale(locale)) ?? pick(loadLocale("en"));
  if (v && typeof v === "object" && "count" in vars) {
    const cat = new Intl.PluralRules(locale).select(Number(vars.count));
    v = (v[cat] ?? v.other) as string;
  }
  if (typeof v !== "string") return `translation missing: ${locale}.${key}`;
  return esc(v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => String(vars[k] ?? "")));
}

/** WCAG contrast ratio of two #rrggbb colours (the `color_contrast` filter). */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** The snippet's i18n JSON as [jsKey, localeKey] pairs, read from the Liquid source. */
export function i18nKeyMap(): [string, string][] {
  const src = read("snippets/regulars-widget.liquid");
  return [...src.matchAll(/"(\w+)":\s*\{\{\s*'([\w.]+)'\s*\|\s*t\s*\|\s*json\s*\}\}/g)].map((m) => [m[1], m[2]]);
}

function launcherCss(): string {
  const m = read("snippets/regulars-widget.liquid").match(/\{%-?\s*style\s*-?%\}([\s\S]*?)\{%-?\s*endstyle\s*-?%\}/);
  return m ? m[1].trim() : "";
}

function iconSvg(icon: string): string {
  const m = read("snippets/regulars-icon.liquid").match(new RegExp(`when '${icon}'\\s*-?%\\}\\s*(<svg[\\s\\S]*?</svg>)`));
  return m ? m[1] : "";
}

/** HTML of the widget as the snippet renders it (the part Liquid would output). */
export function renderWidget(o: FixtureOptions = {}): string {
  const locale = o.locale ?? "en";
  const t = (k: string, vars?: Record<string, string | number>) => translate(locale, k, vars);
  const id = o.blockId ?? (o.inline ? "page1" : "embed1");
  const accent = o.accent ?? "#1f5c4a";
  const onAccent = contrast(accent, "#ffffff") < 4.5 ? "#000000" : "#ffffff";
  const pos = o.position === "bottom-left" ? "start" : "end";
  const asset = (f: string) => `${o.assetBase ?? "/assets/"}${f}`;
  const title = t("regulars.panel.title");
  const launcherText = o.launcherText?.trim() ? esc(o.launcherText.trim()) : t("regulars.launcher");

  let pointsText = "";
  if (o.customer && o.points != null) {
    pointsText = t("regulars.points_count", { count: o.points });
    const digits = [...t("regulars.digits")];
    if (digits.join("") !== "0123456789") pointsText = pointsText.replace(/[0-9]/g, (d) => digits[+d]);
  }

  const rootUrl = o.rootUrl ?? "/";
  const root = rootUrl.replace(/\/$/, "");
  // the loader's data-root: root_url with a trailing slash, for the Ajax Cart API
  const loader = `<script src="${asset("regulars-loader.js")}" data-root="${root}/" defer></script>`;
  // hidden from guests, the embed still runs the loader (a referred guest's ?ref= reaches the cart)
  if (!o.inline && !o.customer && o.showToGuests === false) return loader;

  const i18n = i18nKeyMap()
    .map(([k, key]) => `"${k}": ${json(t(key))}`)
    .join(",\n      ");

  const panel = o.inline
    ? `<section class="rg-p" aria-label="${title}" tabindex="-1"><div class="rg-c"><h2>${title}</h2>` +
      (pointsText ? `<p class="rg-b">${pointsText}</p>` : "") +
      `<p class="rg-m">${t("regulars.panel.loading")}</p></div></section>`
    : `<button type="button" class="rg-l" aria-haspopup="dialog" aria-expanded="false" aria-controls="rg-p-${id}">` +
      iconSvg(o.icon ?? "gift") +
      `<span>${launcherText}</span>` +
      (o.customer ? `<span class="rg-lp" data-rg-pts>${pointsText}</span>` : "") +
      `</button>\n  <div class="rg-p" id="rg-p-${id}" role="dialog" aria-modal="true" aria-label="${title}" tabindex="-1" hidden></div>`;

  return `${o.inline ? "" : `<style data-shopify>${launcherCss()}</style>\n`}<div class="rg${o.inline ? " rg-inline" : ""}" id="rg-${id}" data-rg${o.inline ? " data-inline" : ""}
  data-pos="${pos}" data-js="${asset("regulars-panel.js")}"
  data-proxy="${o.proxy ?? "/apps/rewards"}" data-root="${rootUrl}"
  data-login="${root}/account/login" data-register="${root}/account/register"
  data-locale="${locale}" data-currency="${o.currency ?? "USD"}" data-hi="${t("regulars.panel.welcome_short")}"
  dir="${t("regulars.direction")}"
  style="--rg-a: ${accent}; --rg-on: ${onAccent};">
  ${panel}
  <script type="application/json" data-rg-i18n>
    {
      ${i18n}
    }
  </script>
</div>
${loader}`;
}

/** A whole storefront-like page with the widget (embed at the end of <body>, or the page block in <main>). */
export function renderFixturePage(o: FixtureOptions = {}): string {
  const locale = o.locale ?? "en";
  const widget = renderWidget(o);
  const embed = o.inline && o.withEmbed ? renderWidget({ ...o, inline: false }) : o.inline ? "" : widget;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fixture store</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fafafa; }
  header { padding: 16px 24px; border-bottom: 1px solid #ddd; background: #fff; }
  header a { color: #1a1a1a; margin-inline-end: 16px; }
  main { padding: 24px; min-height: 70vh; }
</style>
</head>
<body>
<header><a href="/">Fixture store</a><a href="/collections/all">Shop</a></header>
<main>
  <h1>${o.inline ? "Rewards" : "Welcome"}</h1>
  ${o.inline ? widget : "<p>A page of a store with the Regulars widget.</p>"}
  ${o.body ?? ""}
</main>
${embed}
</body>
</html>`;
}
