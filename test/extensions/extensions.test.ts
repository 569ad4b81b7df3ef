// The checkout and customer-account UI extensions build: each declares the targets it renders
// and the modules exist, each type-checks, each bundles (as Shopify's CLI will) well under the
// 64 KB limit, and every string the code shows exists in English and Persian.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundle } from "./harness";

const ROOT = path.resolve(__dirname, "../..");
const TSC = path.join(ROOT, "node_modules/.bin/tsc");
/** Shopify refuses a UI extension whose compiled bundle is over 64 KB. */
const SHOPIFY_LIMIT = 64 * 1024;

const EXTENSIONS = {
  "checkout-rewards": ["purchase.checkout.reductions.render-after", "purchase.thank-you.block.render"],
  "customer-account-rewards": ["customer-account.page.render", "customer-account.order-status.block.render"],
} as const;
type Name = keyof typeof EXTENSIONS;
const NAMES = Object.keys(EXTENSIONS) as Name[];
const dir = (name: Name) => path.join(ROOT, "extensions", name);

type Table = Record<string, string | boolean>;
/** Enough TOML for shopify.extension.toml: `key = "string" | true | false`, [tables] and [[arrays]]. */
function parseExtensionToml(text: string) {
  const root: Table = {};
  const arrays: Record<string, Table[]> = {};
  const tables: Record<string, Table> = {};
  let current = root;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^\[\[([\w.]+)\]\]$/))) (arrays[m[1]] ??= []).push((current = {}));
    else if ((m = line.match(/^\[([\w.]+)\]$/))) current = tables[m[1]] ??= {};
    else if ((m = line.match(/^([\w-]+)\s*=\s*(?:"([^"]*)"|(true|false))$/))) current[m[1]] = m[2] ?? m[3] === "true";
    else throw new Error(`unexpected TOML line: ${raw}`);
  }
  return { root, arrays, tables };
}

function modulesOf(name: Name) {
  const toml = parseExtensionToml(readFileSync(path.join(dir(name), "shopify.extension.toml"), "utf8"));
  return (toml.arrays["extensions.targeting"] ?? []).map((t) => ({ target: String(t.target), module: String(t.module) }));
}

function leafKeys(node: unknown, prefix = ""): string[] {
  if (typeof node === "string") return [prefix];
  const entries = Object.entries(node as Record<string, unknown>);
  const plural =
    entries.length > 0 &&
    entries.every(([k, v]) => ["zero", "one", "two", "few", "many", "other"].includes(k) && typeof v === "string");
  if (plural) return [prefix];
  return entries.flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

describe.each(NAMES)("extensions/%s", (name) => {
  it("declares a 2026-07 ui_extension with its targets, each module on disk, and network access", () => {
    const toml = parseExtensionToml(readFileSync(path.join(dir(name), "shopify.extension.toml"), "utf8"));
    expect(toml.root.api_version).toBe("2026-07");
    expect(toml.arrays.extensions).toEqual([expect.objectContaining({ type: "ui_extension", handle: name })]);
    const targeting = modulesOf(name);
    expect(targeting.map((t) => t.target).sort()).toEqual([...EXTENSIONS[name]].sort());
    for (const t of targeting) expect(existsSync(path.join(dir(name), t.module)), `${t.module} of ${t.target}`).toBe(true);
    expect(toml.tables["extensions.capabilities"]).toMatchObject({ network_access: true });
  });

  it("calls the app at the application_url of shopify.app.toml", () => {
    const app = readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8").match(/^application_url\s*=\s*"([^"]+)"/m)?.[1];
    const config = readFileSync(path.join(dir(name), "src/config.ts"), "utf8").match(/APP_URL = "([^"]+)"/)?.[1];
    expect(config).toBeDefined();
    expect(config).toBe(app);
  });

  it("type-checks (tsc -p)", () => {
    execFileSync(TSC, ["--noEmit", "-p", dir(name)], { cwd: ROOT, stdio: "pipe" });
  });

  it("bundles each target with esbuild, no framework inside, under Shopify's 64 KB limit", async () => {
    const sizes: string[] = [];
    for (const { target, module } of modulesOf(name)) {
      const built = await bundle(path.join(dir(name), module));
      expect(built.warnings).toEqual([]);
      // only the extension's own sources go in: no React, Preact or remote-ui runtime
      const inputs = Object.keys(built.metafile.inputs);
      expect(
        inputs.every((i) => i.startsWith(`extensions/${name}/src/`)),
        inputs.join(", "),
      ).toBe(true);
      const bytes = Buffer.byteLength(built.code);
      const gzip = gzipSync(built.code, { level: 9 }).length;
      expect(bytes).toBeGreaterThan(200);
      expect(bytes).toBeLessThan(SHOPIFY_LIMIT);
      sizes.push(`  ${target} (${module}): ${bytes} B minified, ${gzip} B gzip`);
    }
    console.log(`extensions/${name} bundles:\n${sizes.join("\n")}`);
  });

  it("has every string it shows in English and Persian, and Persian has every English key", () => {
    const locale = (file: string) => JSON.parse(readFileSync(path.join(dir(name), "locales", file), "utf8"));
    const en = locale("en.default.json");
    const fa = locale("fa.json");
    const enKeys = new Set(leafKeys(en));
    expect(new Set(leafKeys(fa))).toEqual(enKeys);
    const namespaces = Object.keys(en);
    const used = new Set<string>();
    for (const file of readdirSync(path.join(dir(name), "src"))) {
      const source = readFileSync(path.join(dir(name), "src", file), "utf8");
      for (const m of source.matchAll(/t\(\s*"([\w.]+)"|\?\s*"([\w.]+)"\s*:\s*"([\w.]+)"/g)) {
        for (const key of m.slice(1)) if (key && namespaces.includes(key.split(".")[0])) used.add(key);
      }
    }
    expect(used.size).toBeGreaterThan(3);
    for (const key of used) expect(enKeys.has(key), `${key} in locales`).toBe(true);
  });
});

// The extensions type their slice of the `shopify` API themselves (ADR 0006); they must also
// compile against Shopify's own 2026-07 declarations (devDependencies), prop values included.
// REGULARS_UI_EXTENSIONS_ROOT may point at another install to check with.
const typesRoot = process.env.REGULARS_UI_EXTENSIONS_ROOT || ROOT;

describe("against @shopify/ui-extensions 2026.7 and preact", () => {
  it.each(NAMES)("%s compiles against Shopify's own declarations", (name) => {
    const work = path.join(typesRoot, "node_modules/.cache/regulars-extension-check", name);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    cpSync(path.join(dir(name), "src"), path.join(work, "src"), { recursive: true });
    cpSync(path.join(__dirname, "official", `${name}.shopify.ts.template`), path.join(work, "src/shopify.ts"));
    cpSync(path.join(dir(name), "tsconfig.json"), path.join(work, "tsconfig.base.json"));
    // The package's Preact-flavoured element declarations name the `preact` UMD namespace.
    writeFileSync(
      path.join(work, "tsconfig.json"),
      JSON.stringify({
        extends: "./tsconfig.base.json",
        compilerOptions: { allowUmdGlobalAccess: true, types: ["preact"] },
        include: ["./src"],
      }),
    );
    execFileSync(TSC, ["--noEmit", "-p", work], { cwd: work, stdio: "pipe" });
  });
});
