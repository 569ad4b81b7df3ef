#!/usr/bin/env bash
# One command from a fresh clone to a running Regulars on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/ensure-deps.sh
echo "Building…"
npm run build --silent
echo "Preparing the database (${DATABASE_URL:-file:./data/regulars.db})…"
npm run setup --silent
# A local run: development Shopify credentials are allowed here (a production start refuses them).
NODE_ENV=development exec node server.mjs
