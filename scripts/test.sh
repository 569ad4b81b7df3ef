#!/usr/bin/env bash
# One command from a fresh clone to a full test run (SQLite; set TEST_POSTGRES_URL to add PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run build --silent
npx tsc --noEmit
npx vitest run "$@"
