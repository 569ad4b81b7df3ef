// A content stamp of what `npm run build` reads: `node scripts/source-stamp.mjs write` records it
// in the build directory after a build; `check` exits 0 when the build is there and its recorded
// stamp equals the sources' (so `npm run demo` skips the minute-long build when nothing changed).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildDir = path.resolve(root, process.env.REGULARS_BUILD_DIR || "build");
const stampFile = path.join(buildDir, ".source-stamp");
const INPUTS = [
  "app",
  "extensions/rewards-widget/src",
  "public",
  "scripts/build-widget.ts",
  "remix.config.js",
  "tsconfig.json",
  "env.d.ts",
  "package-lock.json",
  "prisma",
];

function files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full)
    .sort()
    .flatMap((name) => files(path.join(entry, name)));
}

function stamp() {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap(files)) {
    if (/\.db(-journal|-wal|-shm)?$/.test(file)) continue;
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

const command = process.argv[2];
if (command === "write") {
  writeFileSync(stampFile, `${stamp()}\n`);
} else if (command === "check") {
  const recorded = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
  const built =
    existsSync(path.join(buildDir, "index.js")) &&
    existsSync(path.join(root, "extensions/rewards-widget/assets/regulars-loader.js"));
  process.exit(built && recorded === stamp() ? 0 : 1);
} else {
  process.stderr.write("usage: node scripts/source-stamp.mjs write|check\n");
  process.exit(2);
}
