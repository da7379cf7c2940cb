#!/usr/bin/env bash
# Prepares the Docker build context of examples/demo/Dockerfile on the host, so that the
# image builds with no access to PyPI or npm (inside it, only Debian's apt runs):
#
#   target/wheels/capsign-*.whl      the wheel, built here with maturin when it is missing
#                                    or older than the sources (make wheel-check makes it too)
#   node/*.node, node/*.js, …        the addon and its JavaScript: `make node` builds them
#   target/docker/wheels/            Flask and gunicorn, as wheels for CPython 3.11
#                                    (tests/docker/requirements.txt)
#   target/docker/api/node_modules/  express, busboy and redis for the API, at the versions
#                                    the repository's lockfile has
#
# Needs `make python node` first (the .venv, with maturin and pip, and the addon).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-.venv/bin/python}
say() { echo "docker context: $*"; }
die() { echo "docker context: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtualenv at $PY: run make python"
compgen -G 'node/*.node' >/dev/null || die "the Node addon is not built: run make node"

# --- the wheel: rebuilt when a source is newer than it (maturin reuses cargo's build).
wheel=$(ls -t target/wheels/capsign-*.whl 2>/dev/null | head -n 1 || true)
newer=
if [ -n "$wheel" ]; then
  newer=$(find core/src core/Cargo.toml python/src python/Cargo.toml python/capsign Cargo.toml Cargo.lock pyproject.toml \
    -type f -newer "$wheel" -not -name '*.so' -not -path '*/__pycache__/*' -print -quit)
fi
if [ -z "$wheel" ] || [ -n "$newer" ]; then
  say "building the wheel${newer:+ ($newer changed)}"
  rm -f target/wheels/capsign-*.whl
  VIRTUAL_ENV=$PWD/.venv .venv/bin/maturin build --quiet --release -m python/Cargo.toml -o target/wheels
  wheel=$(ls -t target/wheels/capsign-*.whl | head -n 1)
fi
say "wheel $wheel"

# --- the web service's dependencies, for the image's Python (Debian bookworm: CPython 3.11).
machine=$(uname -m)
rm -rf target/docker/wheels
"$PY" -m pip download --quiet --disable-pip-version-check --dest target/docker/wheels \
  --only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 \
  --platform "manylinux2014_$machine" --platform "manylinux_2_17_$machine" \
  -r tests/docker/requirements.txt
say "$(ls target/docker/wheels | wc -l) wheels in target/docker/wheels"

# --- the API's dependencies, at the versions the tests use (the root node_modules).
version() { node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || die "no node_modules/$1: run make node-deps"; }
busboy=$(version busboy)
express=$(version express)
redis=$(version redis)
mkdir -p target/docker/api
cat >target/docker/api/package.json.new <<EOF
{
  "name": "capsign-demo-image",
  "private": true,
  "description": "The demo API's dependencies in its image (tests/docker/context.sh); capsign is copied from node/",
  "dependencies": {
    "busboy": "$busboy",
    "express": "$express",
    "redis": "$redis"
  }
}
EOF
if ! cmp -s target/docker/api/package.json.new target/docker/api/package.json || [ ! -d target/docker/api/node_modules ]; then
  mv target/docker/api/package.json.new target/docker/api/package.json
  rm -rf target/docker/api/node_modules target/docker/api/package-lock.json
  (cd target/docker/api && npm install --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
else
  rm target/docker/api/package.json.new
fi
say "API dependencies in target/docker/api/node_modules: $(node -p "Object.entries(require('./target/docker/api/package.json').dependencies).map(([n, v]) => n + ' ' + v).join(', ')")"
