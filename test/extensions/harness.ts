// Runs a UI extension's real bundle in Node the way Shopify's runtime (2025-10 and later) does: a global
// `shopify` object, a `document.body` to render Polaris elements into, and `fetch`. The DOM is
// the few calls the extensions make (createElement, setAttribute, append, replaceChildren,
// addEventListener), kept small so what the extension renders can be read back and clicked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { waitFor as waitUntil } from "../support/wait";

export class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  children: Array<FakeElement | string> = [];
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(type: string, listener: (event: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  append(...nodes: Array<FakeElement | string>) {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: Array<FakeElement | string>) {
    this.children = nodes;
  }
  get textContent(): string {
    return this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  /** Every element below this one (depth first), this one included. */
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => (typeof c === "string" ? [] : c.all()))];
  }
  find(tag: string, text?: string | RegExp): FakeElement[] {
    return this.all().filter(
      (e) =>
        e.tagName === tag &&
        (text === undefined || (typeof text === "string" ? e.textContent.includes(text) : text.test(e.textContent))),
    );
  }
  click() {
    for (const listener of this.listeners.get("click") ?? []) listener({ type: "click", currentTarget: this });
  }
}

/** A signal as the API (2025-10 and later) hands them out: `.value` and `.subscribe`. */
export function signal<T>(initial: T) {
  let value = initial;
  const subscribers = new Set<(v: T) => void>();
  return {
    get value() {
      return value;
    },
    subscribe(fn: (v: T) => void) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    set(next: T) {
      value = next;
      for (const fn of subscribers) fn(next);
    },
  };
}

/** `shopify.i18n` over the extension's own locale file, with CLDR plurals and `{{placeholders}}`. */
export function i18nFor(extensionDir: string, locale: "en" | "fa") {
  const file = locale === "en" ? "en.default.json" : `${locale}.json`;
  const messages = JSON.parse(readFileSync(path.join(extensionDir, "locales", file), "utf8"));
  const plural = new Intl.PluralRules(locale);
  return {
    translate(key: string, options: Record<string, string | number> = {}) {
      let entry: unknown = key
        .split(".")
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], messages);
      if (entry && typeof entry === "object" && "count" in options) {
        const forms = entry as Record<string, string>;
        entry = forms[plural.select(Number(options.count))] ?? forms.other;
      }
      if (typeof entry !== "string") throw new Error(`missing translation ${locale}:${key}`);
      return entry.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
        if (!(name in options)) throw new Error(`${locale}:${key} needs {{${name}}}`);
        return String(options[name]);
      });
    },
    formatNumber: (n: number, o?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, o).format(n),
    formatCurrency: (n: number, o?: Intl.NumberFormatOptions) =>
      new Intl.NumberFormat(locale, { style: "currency", ...o }).format(n),
    formatDate: (d: Date, o?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, o).format(d),
  };
}

/** Bundles an extension module with esbuild, as Shopify's CLI does before upload. */
export async function bundle(entry: string, format: "esm" | "iife" = "esm") {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    minify: true,
    target: "es2020",
    platform: "browser",
    metafile: true,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile, warnings: result.warnings };
}

/**
 * Runs one extension target: bundles `entry`, installs the globals, calls its default export and
 * waits for it to settle. Returns the body it rendered into.
 */
export async function runExtension(entry: string, shopify: object, fetchImpl: typeof fetch): Promise<FakeElement> {
  const { code } = await bundle(entry);
  const dir = mkdtempSync(path.join(tmpdir(), "regulars-ext-"));
  const file = path.join(dir, "extension.mjs");
  writeFileSync(file, code);
  const body = new FakeElement("body");
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = { shopify: globals.shopify, document: globals.document, fetch: globals.fetch };
  globals.shopify = shopify;
  globals.document = { body, createElement: (tag: string) => new FakeElement(tag) };
  globals.fetch = fetchImpl;
  try {
    const module = (await import(pathToFileURL(file).href)) as { default: () => Promise<void> };
    await module.default();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  restore = () => Object.assign(globals, saved);
  return body;
}

let restore: (() => void) | null = null;
/** Puts back the globals runExtension replaced (its listeners may still run until then). */
export function cleanUpExtension() {
  restore?.();
  restore = null;
}

/** Waits until `check` passes (a click's fetches and re-render take a moment). */
export async function waitFor(check: () => boolean, timeoutMs = 5000) {
  await waitUntil(check, { timeoutMs, what: `the extension: ${check}` });
}
