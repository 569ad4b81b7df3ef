// The repository stands alone: whoever clones only it can build, run and test it. No tracked file
// may reach for the sibling directory of shared material (or its data folder) or cite a design file that is
// not in the repository; the facts live in docs/ and the test data in test/fixtures/, with its
// provenance. Plain file reads: no server, no database.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), "../..");
/** This test names the forbidden strings, so it is the one file not scanned. */
const SELF = path.relative(repoRoot, thisFile).split(path.sep).join("/");

const SCANNED_DIRECTORIES = ["app/", "server/", "test/", "scripts/", "bench/", "docs/", "extensions/", "prisma/", ".ci/"];
/** Top-level files are all scanned (README.md, server.mjs, package.json, configs) but the generated lock file. */
const UNSCANNED_TOP_LEVEL = new Set(["package-lock.json"]);

const SHARED = ["sha", "red"].join("");
const DESIGN = ["DES", "IGN"].join("");

const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  // Spelled in pieces, so this file does not hold the very text it looks for.
  { what: "a path into the sibling shared directory", pattern: new RegExp(String.raw`\.\.[\\/]+${SHARED}\b`) },
  { what: "the shared data directory", pattern: new RegExp(String.raw`\b${SHARED}[\\/]+data\b`) },
  { what: "a section citation of the design file", pattern: new RegExp(String.raw`\b${DESIGN}(?:\.md)?\s*§`) },
  { what: "the design file's name", pattern: new RegExp(String.raw`\b${DESIGN}\.md\b`) },
];

const FIXTURE = "test/fixtures/cdnow_customers_summary.csv";
const FIXTURE_NOTE = "test/fixtures/README.md";

function trackedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return out.split("\0").filter(Boolean);
}

const scanned = (file: string) =>
  file !== SELF &&
  (SCANNED_DIRECTORIES.some((dir) => file.startsWith(dir)) || (!file.includes("/") && !UNSCANNED_TOP_LEVEL.has(file)));

describe("the repository stands alone", () => {
  it("scans the tracked files of app/, test/, scripts/, bench/, docs/, extensions/, prisma/, .ci/ and the top level", () => {
    const files = trackedFiles().filter(scanned);
    for (const expected of [
      "README.md",
      "server.mjs",
      "package.json",
      "app/analytics/kpis.server.ts",
      "docs/kpis.md",
      FIXTURE_NOTE,
    ]) {
      expect(files, `${expected} is tracked and scanned`).toContain(expected);
    }
    expect(files).not.toContain(SELF);
  });

  it("has no tracked file that reads the sibling shared directory or its data, or cites the design file", () => {
    const findings: string[] = [];
    for (const file of trackedFiles().filter(scanned)) {
      const absolute = path.join(repoRoot, file);
      if (!existsSync(absolute)) continue; // deleted in the working tree, not committed yet
      readFileSync(absolute, "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const { what, pattern } of FORBIDDEN) {
            if (pattern.test(line)) findings.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
          }
        });
    }
    // Point the code at the repo's own docs (docs/README.md) and its data at test/fixtures/.
    expect(findings, findings.join("\n")).toEqual([]);
  });

  it("keeps the CDNOW customer summary in test/fixtures, as published", () => {
    const absolute = path.join(repoRoot, FIXTURE);
    expect(existsSync(absolute), `${FIXTURE} exists`).toBe(true);
    expect(trackedFiles()).toContain(FIXTURE);
    const [header, ...rows] = readFileSync(absolute, "utf8").trim().split(/\r?\n/);
    expect(header.trim()).toBe("ID,x,t_x,T,zbar");
    expect(rows).toHaveLength(2357);
  });

  it("keeps the raw CDNOW purchases in test/fixtures, byte for byte as published", () => {
    const file = "test/fixtures/CDNOW_sample.txt";
    expect(trackedFiles()).toContain(file);
    const bytes = readFileSync(path.join(repoRoot, file));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(
      "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    );
    expect(readFileSync(path.join(repoRoot, FIXTURE_NOTE), "utf8")).toContain("CDNOW_sample.zip");
  });

  it("says in test/fixtures/README.md where the CDNOW summary comes from", () => {
    const absolute = path.join(repoRoot, FIXTURE_NOTE);
    expect(existsSync(absolute), `${FIXTURE_NOTE} exists`).toBe(true);
    const note = readFileSync(absolute, "utf8");
    for (const needed of [
      "cdnow_customers_summary.csv",
      "Fader",
      "Hardie",
      "Lee",
      "2005",
      "Counting Your Customers",
      "Marketing Science",
      "brucehardie.com",
      "ID,x,t_x,T,zbar",
    ]) {
      expect(note, `${FIXTURE_NOTE} mentions ${needed}`).toContain(needed);
    }
  });
});
