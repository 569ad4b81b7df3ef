#!/usr/bin/env bash
# Sourced by every entry point (app, test, CI, benches): makes `node` and `npm` in this shell a
# Node.js 22 or newer. A machine with Node >= 22 uses its own. On an older one, Node 22 comes
# from the npm registry (the `node` package) into .tools/node (git-ignored), goes first on PATH,
# and its headers are where native modules (better-sqlite3) are compiled against
# (docs/decisions/0012-node-22.md). Nothing outside the checkout changes.
regulars_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
regulars_wanted=22
regulars_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(regulars_major)" -lt "$regulars_wanted" ]; then
  regulars_tools="$regulars_root/.tools/node"
  regulars_bin="$regulars_tools/node_modules/node/bin"
  if [ "$(regulars_major "$regulars_bin/node")" -lt "$regulars_wanted" ]; then
    echo "Node $(node -v 2>/dev/null || echo '(none)') is older than $regulars_wanted: installing Node $regulars_wanted from the npm registry into .tools/node…" >&2
    mkdir -p "$regulars_tools"
    npm install --prefix "$regulars_tools" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$regulars_wanted" >&2
  fi
  export PATH="$regulars_bin:$PATH"
  # The arch-specific package holds include/node: node-gyp builds against it, offline.
  for regulars_dir in "$regulars_tools"/node_modules/node/node_modules/node-*/; do
    [ -d "$regulars_dir/include/node" ] && export npm_config_nodedir="${regulars_dir%/}"
  done
fi
if [ "$(regulars_major)" -lt "$regulars_wanted" ]; then
  echo "Could not get Node.js $regulars_wanted or newer (have $(node -v 2>/dev/null))." >&2
  return 1 2>/dev/null || exit 1
fi
