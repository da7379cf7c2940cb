#!/usr/bin/env bash
# `npm install <path to node/>` in a fresh project, on a checkout with no prebuilt addon:
# the package's install script must build the addon with cargo, and the package must load.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A checkout without build outputs (no *.node, no node_modules).
mkdir -p "$tmp/src"
( cd "$repo" && git ls-files -z Cargo.toml Cargo.lock core node python ) \
  | ( cd "$repo" && xargs -0 cp --parents -t "$tmp/src" )
test ! -e "$tmp/src/node/"*.node

mkdir "$tmp/app"
cd "$tmp/app"
printf '{"name":"fresh-app","version":"1.0.0","private":true,"allowScripts":{"capsign":true}}\n' > package.json
# Reuse compiled dependencies; the two capsign crates still build from the copied sources.
CARGO_TARGET_DIR="$repo/target/fresh-install" npm install --no-audit --no-fund "$tmp/src/node" >/dev/null 2>"$tmp/npm.log" \
  || { cat "$tmp/npm.log" >&2; exit 1; }
ls "$tmp/src/node/"capsign.*.node >/dev/null
node -e '
const { Signer, Verifier } = require("capsign")
const { capsign } = require("capsign/express")
const fastifyPlugin = require("capsign/fastify")
const t = new Signer("fresh-install-secret-0123").issue({ call: ["read"] }).token
const g = new Verifier("fresh-install-secret-0123").verifyToken(t, { call: "read" })
if (g.policy.call[0] !== "read" || typeof capsign !== "function" || typeof fastifyPlugin !== "function") process.exit(1)
console.log("npm install of a fresh checkout: addon built and loaded")
'
