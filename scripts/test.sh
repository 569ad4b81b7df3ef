#!/usr/bin/env bash
# One command from a fresh clone to a full test run on the embedded SQLite database.
# Set TEST_POSTGRES_URL (an admin URL) to run the database tests against PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/ensure-deps.sh
bash scripts/ensure-system.sh
npm run build --silent
npx tsc --noEmit
npm run check:structure --silent
npx vitest run "$@"
