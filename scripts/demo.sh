#!/usr/bin/env bash
# `npm run demo`: from a fresh clone to a running demo shop in one command. Brings Node 22 and the
# dependencies when missing, builds only when the sources changed since the last build (a content
# stamp, scripts/source-stamp.mjs), prepares the demo's own SQLite database, then hands over to
# scripts/demo/run.ts (seed, serve, print the URLs, stream live orders).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/ensure-deps.sh
if node scripts/source-stamp.mjs check; then
  echo "The build is up to date."
else
  echo "Building (about a minute; skipped next time unless the sources change)…"
  npm run build --silent
fi

# Demo mode: development credentials, the emulated Shopify, the storefront preview, and the demo's
# own database and state under REGULARS_DEMO_DIR (git-ignored data/demo by default).
export NODE_ENV=development REGULARS_DEMO=1 SHOPIFY_EMULATOR=1 STOREFRONT_PREVIEW=1
export REGULARS_DEMO_DIR="$(mkdir -p "${REGULARS_DEMO_DIR:-data/demo}" && cd "${REGULARS_DEMO_DIR:-data/demo}" && pwd)"
export REGULARS_DEMO_SHOP="${REGULARS_DEMO_SHOP:-regulars-demo.myshopify.com}"
export STOREFRONT_PREVIEW_SHOP="$REGULARS_DEMO_SHOP"
export SHOPIFY_EMULATOR_DIR="${SHOPIFY_EMULATOR_DIR:-$REGULARS_DEMO_DIR/shopify}"
export DATABASE_URL="${REGULARS_DEMO_DATABASE_URL:-file:$REGULARS_DEMO_DIR/demo.db}"
export PORT="${PORT:-3000}" WEB_CONCURRENCY="${WEB_CONCURRENCY:-1}"
# The emulated Shopify finishes an export at once: ask about it every second, not every five.
export REGULARS_BACKFILL_POLL_MS="${REGULARS_BACKFILL_POLL_MS:-1000}"
# The public development credentials, set (not left unset) so a .env with real ones cannot mix in.
export SHOPIFY_API_KEY=regulars-dev-api-key SHOPIFY_API_SECRET=regulars-dev-secret SHOPIFY_APP_URL="http://localhost:$PORT"
echo "Preparing the demo database ($DATABASE_URL)…"
npx tsx scripts/db.ts migrate >/dev/null
exec npx tsx scripts/demo/run.ts
