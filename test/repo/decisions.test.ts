// The architecture decision records stay walkable: one decision per file, numbered from 0001
// without gaps, each with a date and a status before its Context / Decision / Consequences, all
// listed in docs/decisions/README.md as they are, and every citation in the repository pointing
// at a record that exists. Plain file reads: no server, no database.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = path.join(repoRoot, "docs/decisions");
const FILE_NAME = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
const STATUS = /^Status: (Accepted|Proposed|Superseded by (\d{4}))$/;

type Adr = { file: string; number: string; title: string; date: string; status: string; problems: string[] };

function parse(file: string): Adr {
  const number = FILE_NAME.exec(file)?.[1] ?? "";
  const lines = readFileSync(path.join(DIR, file), "utf8").split("\n");
  const problems: string[] = [];
  const title = /^# (\d{4}) — (.+)$/.exec(lines[0] ?? "");
  if (!title) problems.push(`first line is not "# ${number} — <title>"`);
  else if (title[1] !== number) problems.push(`title says ${title[1]}, file name says ${number}`);
  if (lines[1] !== "") problems.push("no blank line after the title");
  const date = /^Date: (\d{4}-\d{2}-\d{2})$/.exec(lines[2] ?? "")?.[1];
  if (
    !date ||
    Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
    new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date
  ) {
    problems.push('third line is not "Date: YYYY-MM-DD" with a real date');
  }
  const status = STATUS.exec(lines[3] ?? "");
  if (!status) problems.push('fourth line is not "Status: Accepted | Proposed | Superseded by NNNN"');
  const headings = lines.filter((line) => /^## /.test(line));
  const order = ["## Context", "## Decision", "## Consequences"].map((h) => headings.indexOf(h));
  if (order.some((i) => i < 0) || !(order[0] < order[1] && order[1] < order[2])) {
    problems.push(`sections are not Context, Decision, Consequences in that order (found: ${headings.join(", ")})`);
  }
  return { file, number, title: title?.[2] ?? "", date: date ?? "", status: status?.[1] ?? "", problems };
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".md") && f !== "README.md");
const records = files
  .filter((f) => FILE_NAME.test(f))
  .map(parse)
  .sort((a, b) => a.number.localeCompare(b.number));
const numbers = new Set(records.map((r) => r.number));

describe("docs/decisions", () => {
  it("holds only NNNN-slug.md records and README.md", () => {
    expect(files.filter((f) => !FILE_NAME.test(f))).toEqual([]);
    expect(records.length).toBeGreaterThan(0);
  });

  it("numbers the records from 0001 without gaps or repeats", () => {
    const expected = records.map((_, i) => String(i + 1).padStart(4, "0"));
    expect(records.map((r) => r.number)).toEqual(expected);
  });

  it("starts every record with its title, Date and Status, then Context, Decision, Consequences", () => {
    const problems = records.flatMap((r) => r.problems.map((p) => `${r.file}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("supersedes a record only by another record that exists", () => {
    const wrong = records
      .map((r) => ({ r, by: /^Superseded by (\d{4})$/.exec(r.status)?.[1] }))
      .filter(({ r, by }) => by !== undefined && (by === r.number || !numbers.has(by)))
      .map(({ r }) => `${r.file}: ${r.status}`);
    expect(wrong).toEqual([]);
  });

  it("lists every record in docs/decisions/README.md with its title, status and date", () => {
    const readme = readFileSync(path.join(DIR, "README.md"), "utf8");
    const rows = readme.split("\n").filter((line) => /^\| \[\d{4}\]\(/.test(line));
    const expected = records.map((r) => `| [${r.number}](${r.file}) | ${r.title} | ${r.status} | ${r.date} |`);
    expect(rows).toEqual(expected);
  });
});

describe("citations of decisions", () => {
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\0")
    .filter((f) => f && f !== "package-lock.json" && /\.(ts|tsx|mjs|js|md|toml|sh|prisma)$|^\.ci\/|^\.npmrc$/.test(f));
  const read = (f: string) => {
    try {
      return readFileSync(path.join(repoRoot, f), "utf8");
    } catch {
      return ""; // deleted in the working tree, not committed yet
    }
  };

  it("link only to record files that exist", () => {
    const existing = new Set(records.map((r) => r.file));
    const broken: string[] = [];
    for (const file of tracked) {
      for (const m of read(file).matchAll(/decisions\/(\d{4}-[a-z0-9-]+\.md)/g)) {
        if (!existing.has(m[1])) broken.push(`${file}: ${m[0]}`);
      }
      if (file.startsWith("docs/decisions/")) {
        for (const m of read(file).matchAll(/\]\((\d{4}-[a-z0-9-]+\.md)\)/g)) {
          if (!existing.has(m[1])) broken.push(`${file}: ${m[0]}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('cite as "ADR NNNN" only numbers that exist', () => {
    const unknown: string[] = [];
    for (const file of tracked) {
      for (const m of read(file).matchAll(/\bADRs? (\d{4})((?:, \d{4})*)/g)) {
        const cited = [m[1], ...m[2].split(", ").filter(Boolean)];
        for (const n of cited) if (!numbers.has(n)) unknown.push(`${file}: ADR ${n}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
