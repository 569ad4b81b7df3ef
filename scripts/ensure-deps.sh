#!/usr/bin/env bash
# Installs npm dependencies when they are missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
# Native modules are built for one Node ABI: a tree installed by another Node is installed again.
abi="$(node -p 'process.versions.modules')"
stamp=node_modules/.regulars-node-abi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -d node_modules/@regulars/db-sqlite ] \
  || [ "$(cat "$stamp" 2>/dev/null)" != "$abi" ]; then
  echo "Installing dependencies for Node $(node -v) (better-sqlite3 compiles, about a minute)…"
  # Exactly what package-lock.json says, and never a rewrite of it (docs/decisions/0008-lockfile.md).
  npm ci --no-audit --no-fund
  echo "$abi" > "$stamp"
fi
