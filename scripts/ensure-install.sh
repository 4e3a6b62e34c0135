#!/usr/bin/env bash
# Installs the workspace's npm dependencies (npm ci) when they are missing or older than
# package-lock.json, so that `npm test` and `npm run demo` each work by themselves on a fresh
# clone. Idempotent: a no-op once node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
marker=node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
  echo "faultline: installing the npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
