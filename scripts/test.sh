#!/usr/bin/env bash
# One command from a fresh clone to a full test run on the embedded SQLite database: the unit,
# database and e2e tiers (test/tiers.ts), in that order, in one vitest run. Extra arguments go to
# vitest (`npm test -- --project unit`, a file path, a reporter). Only the e2e tier needs the
# build, so it is built only when that tier is selected.
# Set TEST_POSTGRES_URL (an admin URL) to run the database tests against PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/ensure-deps.sh
npx tsc --noEmit
npm run check:structure --silent

# Which projects the arguments select: all of them unless some --project is given.
e2e=yes
projects=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --project=*) projects+=("${args[i]#--project=}") ;;
    --project) projects+=("${args[i + 1]:-}") ;;
  esac
done
if [ "${#projects[@]}" -gt 0 ]; then
  e2e=no
  for p in "${projects[@]}"; do [ "$p" = e2e ] && e2e=yes; done
fi
if [ "$e2e" = yes ]; then
  bash scripts/ensure-system.sh # Chromium, for the browser tests
  npm run build --silent
fi
npx vitest run "$@"
