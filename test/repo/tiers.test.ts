// Every test file is in exactly one tier (test/tiers.ts, vitest.config.ts), and in the one its
// code calls for: a file that starts the server or a browser is e2e (it needs the build), one
// that reaches a database is database or e2e, and a unit test does neither. Imports are followed
// through test/'s own helper modules, so a helper that opens a database counts for its users.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const rel = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/");

/** What vitest itself makes of the configuration: each test file with its project. */
function listed(): { file: string; projectName: string }[] {
  const out = execFileSync(
    process.execPath,
    [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), "list", "--filesOnly", "--json"],
    {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(out.slice(out.indexOf("[")));
}

/** Starting the built server (through the helper or by hand) or Chromium. */
const SERVER_OR_BROWSER = /\b(startApp|useChromium|launchChromium)\(|\bspawn\w*\([^)]*["']server\.mjs["']/;
/** The modules that open a database: the test helper that makes one, and the app's client. */
const DATABASE = [/^test\/support\/database$/, /^app\/db\.server$/];

/** The module specifiers `file` imports, followed through relative imports of files under test/. */
function importsOf(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const [, spec] of source.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)) {
    if (!spec.startsWith(".")) continue; // packages and node: modules open no database of ours
    const target = path.resolve(path.dirname(file), spec);
    found.push(rel(target).replace(/\.(ts|tsx|js)$/, ""));
    const local = [target, `${target}.ts`].find((candidate) => candidate.endsWith(".ts") && existsSync(candidate));
    if (local && rel(local).startsWith("test/")) found.push(...importsOf(local, seen));
  }
  return found;
}

describe("the test tiers", () => {
  let files: { file: string; projectName: string }[] = [];
  beforeAll(() => {
    files = listed();
  });

  it("put every test file in exactly one tier", () => {
    const projects = new Map<string, string[]>();
    for (const { file, projectName } of files) projects.set(rel(file), [...(projects.get(rel(file)) ?? []), projectName]);
    const tracked = execFileSync("git", ["ls-files", "test"], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      .filter((file) => file.endsWith(".test.ts"));
    expect(tracked.length).toBeGreaterThan(30);
    for (const file of tracked) expect(projects.get(file), file).toHaveLength(1);
    expect(new Set(files.map((f) => f.projectName))).toEqual(new Set(["unit", "database", "e2e"]));
  });

  it("put each file in the tier its code calls for", () => {
    const wrong: string[] = [];
    for (const { file, projectName } of files) {
      const imports = importsOf(file);
      const needs = SERVER_OR_BROWSER.test(readFileSync(file, "utf8"))
        ? ["e2e"]
        : imports.some((spec) => DATABASE.some((p) => p.test(spec)))
          ? ["database", "e2e"]
          : ["unit"];
      if (!needs.includes(projectName)) wrong.push(`${rel(file)} is in ${projectName}, its code calls for ${needs.join(" or ")}`);
    }
    expect(wrong).toEqual([]);
  });
});
