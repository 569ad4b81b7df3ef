#!/usr/bin/env bash
# Installs npm dependencies when they are missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -d node_modules/@regulars/db-sqlite ]; then
  echo "Installing dependencies (better-sqlite3 compiles, about a minute)…"
  # Exactly what package-lock.json says, and never a rewrite of it (docs/decisions/0008-lockfile.md).
  npm ci --no-audit --no-fund
fi
