#!/usr/bin/env bash
# Runs a command with Node.js 22 or newer first on PATH (scripts/ensure-node.sh): what every npm
# script goes through, so `npm run bench:kpis` on a Node 20 machine still runs on Node 22.
set -euo pipefail
source "$(dirname "$0")/ensure-node.sh"
exec "$@"
