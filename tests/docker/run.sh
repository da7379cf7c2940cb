#!/usr/bin/env bash
# make docker-test: the demo's image (examples/demo/Dockerfile) built, run and tested, with
# no image registry: the base is Debian made here with debootstrap and `docker import`
# (once; kept as capsign-base:bookworm), Redis runs in a second container from that base.
#
#   1. a Docker daemon: the one that answers, or dockerd started here (and stopped at the
#      end); when none can be had, the test says why and is skipped (exit 0) — only then;
#   2. the build context (tests/docker/context.sh), the base, the images;
#   3. the demo's container with Redis, its ports published on 127.0.0.1 only; the browser
#      suite of tests/e2e/ against it; the servers run as the user capsign;
#   4. stopped, and started again in a new container on the same volume: the secret and the
#      node key are the same, and neither they nor the passwords appear in `docker logs`.
#
# Environment: CAPSIGN_DOCKER_BASE (an image to build from instead, e.g. debian:bookworm-slim
# where a registry is reachable), CAPSIGN_DEBIAN_MIRROR (for debootstrap), CAPSIGN_PYTHON.
# `docker image rm capsign-base:bookworm` makes the next run debootstrap a fresh base.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

say() { echo "docker-test: $*"; }
skip() { echo "docker-test: SKIPPED: $* — the image was not built nor tested" >&2; exit 0; }
die() { echo "docker-test: FAILED: $*" >&2; exit 1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}
took() { echo "$(($(date +%s) - $1))s"; }

IMAGE=capsign-demo:test
REDIS_IMAGE=capsign-redis:test
LOCAL_BASE=capsign-base:bookworm
MIRROR=${CAPSIGN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PYTHON=${CAPSIGN_PYTHON:-$ROOT/.venv/bin/python}
NAME=capsign-demo-test-$$
LOGS=target/docker
mkdir -p "$LOGS"
started=$(date +%s)

DOCKER=(docker)
d() { "${DOCKER[@]}" "$@"; }
dockerd_pid=
rootfs=
scratch=
cleanup() {
  local status=$?
  set +e
  if [ -n "$scratch" ]; then
    d rm -f "$NAME" "$NAME-redis" >/dev/null 2>&1
    d network rm "$NAME" >/dev/null 2>&1
    d volume rm "$NAME-data" >/dev/null 2>&1
    rm -rf "$scratch"
  fi
  [ -z "$rootfs" ] || as_root rm -rf "$rootfs"
  if [ -n "$dockerd_pid" ]; then
    say "stopping the dockerd started here (pid $dockerd_pid)"
    as_root kill -TERM "$dockerd_pid"
    for _ in $(seq 1 60); do as_root kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. a Docker daemon -----------------------------------------------------------------
command -v docker >/dev/null || skip "docker is not installed (apt-get install docker.io)"
if ! docker info >/dev/null 2>&1 && [ "$(id -u)" != 0 ] && sudo -n docker info >/dev/null 2>&1; then
  DOCKER=(sudo -n docker)
fi
if ! d info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || skip "no Docker daemon answers, and dockerd is not installed (apt-get install docker.io)"
  as_root true 2>/dev/null || skip "no Docker daemon answers, and starting dockerd needs root (or sudo without a password)"
  say "no Docker daemon answers: starting dockerd (its log: $LOGS/dockerd.log)"
  if [ "$(id -u)" = 0 ]; then dockerd >"$LOGS/dockerd.log" 2>&1 & else sudo -n dockerd >"$LOGS/dockerd.log" 2>&1 & fi
  dockerd_pid=$!
  [ "$(id -u)" = 0 ] || DOCKER=(sudo -n docker)
  for _ in $(seq 1 60); do
    d info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! d info >/dev/null 2>&1; then
    why=$(grep -E 'level=(fatal|error)' "$LOGS/dockerd.log" | tail -n 1 | sed 's/.*msg="\([^"]*\)".*/\1/')
    kill -0 "$dockerd_pid" 2>/dev/null || dockerd_pid=
    skip "dockerd did not start: ${why:-see $LOGS/dockerd.log}"
  fi
fi
say "Docker $(d version --format '{{.Server.Version}}' 2>/dev/null)"

# --- 2. the context, the base, the images -----------------------------------------------
t=$(date +%s)
tests/docker/context.sh
say "build context ready in $(took "$t")"

base=${CAPSIGN_DOCKER_BASE:-$LOCAL_BASE}
if [ -z "${CAPSIGN_DOCKER_BASE:-}" ] && ! d image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null \
    || die "no base image $LOCAL_BASE, and debootstrap is not installed to make one (apt-get install debootstrap); or set CAPSIGN_DOCKER_BASE=debian:bookworm-slim to build from the official image"
  as_root true 2>/dev/null || die "debootstrap needs root (or sudo without a password)"
  t=$(date +%s)
  rootfs=$(mktemp -d /var/tmp/capsign-base.XXXXXX)
  say "making the base $LOCAL_BASE: debootstrap --variant=minbase bookworm from $MIRROR (log: $LOGS/debootstrap.log)"
  as_root debootstrap --variant=minbase bookworm "$rootfs/root" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 \
    || { tail -n 20 "$LOGS/debootstrap.log" >&2; die "debootstrap failed"; }
  printf '%s\n' "deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" | as_root tee "$rootfs/root/etc/apt/sources.list" >/dev/null
  as_root sh -c 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' sh "$rootfs/root"
  as_root tar -C "$rootfs/root" --numeric-owner -c . | d import --change 'CMD ["bash"]' - "$LOCAL_BASE" >/dev/null
  as_root rm -rf "$rootfs"
  rootfs=
  say "base $LOCAL_BASE made in $(took "$t")"
fi

t=$(date +%s)
say "building $IMAGE from $base (log: $LOGS/build.log)"
d build --label capsign-demo-test=1 --build-arg BASE="$base" -f examples/demo/Dockerfile -t "$IMAGE" . >"$LOGS/build.log" 2>&1 \
  || { tail -n 30 "$LOGS/build.log" >&2; die "docker build failed"; }
d build --label capsign-demo-test=1 --build-arg BASE="$base" -t "$REDIS_IMAGE" - <tests/docker/redis.Dockerfile >>"$LOGS/build.log" 2>&1 \
  || { tail -n 30 "$LOGS/build.log" >&2; die "docker build of Redis failed"; }
d image prune -f --filter label=capsign-demo-test=1 >/dev/null
say "images built in $(took "$t") ($IMAGE: $(d image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"

# The compose file is valid (when a compose is installed: the plugin, or docker-compose).
if d compose version >/dev/null 2>&1; then
  d compose -f examples/demo/compose.yml config -q && say "examples/demo/compose.yml: valid (docker compose config)"
elif command -v docker-compose >/dev/null; then
  docker-compose -f examples/demo/compose.yml config -q && say "examples/demo/compose.yml: valid (docker-compose config)"
else
  say "examples/demo/compose.yml: not checked (neither docker compose nor docker-compose is installed)"
fi

# --- 3. the demo with Redis, and the browser suite --------------------------------------
scratch=$(mktemp -d)
read -r web_port api_port < <(node -e "
  const net = require('node:net')
  const a = net.createServer().listen(0, '127.0.0.1', () => {
    const b = net.createServer().listen(0, '127.0.0.1', () => {
      console.log(a.address().port, b.address().port); a.close(); b.close()
    })
  })")
web=http://127.0.0.1:$web_port
api=http://127.0.0.1:$api_port
# What tests/e2e/demo.test.js expects of a running demo; the passwords go through the
# environment, never a command line.
export DEMO_USERS=alice:alice-password,bob:bob-password
d network create "$NAME" >/dev/null
d volume create "$NAME-data" >/dev/null
d run -d --name "$NAME-redis" --network "$NAME" "$REDIS_IMAGE" >/dev/null
for _ in $(seq 1 50); do [ "$(d exec "$NAME-redis" redis-cli ping 2>/dev/null)" = PONG ] && break; sleep 0.2; done

# The same ports inside and out: the web service calls the API at the URL the browser uses.
start_demo() {
  d run -d --name "$NAME" --network "$NAME" \
    -p "127.0.0.1:$web_port:$web_port" -p "127.0.0.1:$api_port:$api_port" -v "$NAME-data:/data" \
    -e DEMO_WEB_PORT="$web_port" -e DEMO_API_PORT="$api_port" -e DEMO_USERS \
    -e DEMO_MAX_UPLOAD=65536 -e DEMO_READ_LINK_SECONDS=3 -e REDIS_URL="redis://$NAME-redis:6379" \
    "$IMAGE" >/dev/null
  local deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null "$web/healthz" && curl -fs -o /dev/null "$api/.well-known/capsign-keys.json"; do
    if [ "$(d inspect -f '{{.State.Running}}' "$NAME")" != true ] || [ $SECONDS -ge $deadline ]; then
      d logs "$NAME" >&2 || true
      die "the demo's container did not answer on $web and $api"
    fi
    sleep 0.2
  done
}
in_demo() { d exec "$NAME" "$@"; }
stop_demo() {  # the container's logs, stopped; fails unless it stopped cleanly and soon
  local t0=$SECONDS
  d stop -t 10 "$NAME" >/dev/null
  [ "$((SECONDS - t0))" -lt 8 ] || die "the demo took $((SECONDS - t0))s to stop (SIGTERM is not handled)"
  [ "$(d inspect -f '{{.State.ExitCode}}' "$NAME")" = 0 ] || { d logs "$NAME" >&2; die "the demo exited with $(d inspect -f '{{.State.ExitCode}}' "$NAME")"; }
  d logs "$NAME" >"$scratch/logs-$1" 2>&1
  d rm "$NAME" >/dev/null
}
peer_id() { curl -fs "$api/.well-known/capsign-keys.json" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).keys[0].kid))'; }

t=$(date +%s)
start_demo
say "the demo answers on $web and $api (started in $(took "$t"))"
in_demo cat /data/node.key >"$scratch/node.key"
t=$(date +%s)
CAPSIGN_E2E_WEB=$web CAPSIGN_E2E_API=$api CAPSIGN_E2E_DATA=$scratch \
  CAPSIGN_E2E_LOGS="${DOCKER[*]} logs -f $NAME" CAPSIGN_PYTHON=$PYTHON \
  node --test --test-reporter=spec tests/e2e/ || { d logs "$NAME" >&2; die "the browser suite failed against the container"; }
say "browser suite passed against the container in $(took "$t")"

# No server runs as root; the secret and the node key are the user's only.
uids=$(d top "$NAME" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u | tr '\n' ' ') || die "docker top failed"
[ "$uids" = "10001 " ] || die "the container's processes run as uid $uids, not only 10001 (capsign)"
modes=$(in_demo stat -c '%n %a %U' /data/secret /data/node.key /data/root-token | tr '\n' ' ')
[ "$modes" = "/data/secret 600 capsign /data/node.key 600 capsign /data/root-token 600 capsign " ] \
  || die "the data files are not the user's only: $modes"
in_demo cat /data/secret >"$scratch/secret"
in_demo cat /data/root-token >"$scratch/root-token"
first_peer=$(peer_id)
in_demo sh -c 'cat /data/files.json 2>/dev/null || true' >"$scratch/files-1"
[ -s "$scratch/files-1" ] || say "no uploads to compare across the restart (was the browser suite skipped?)"

# --- 4. a restart on the same volume, and the logs --------------------------------------
t=$(date +%s)
stop_demo 1
start_demo
[ "$(in_demo cat /data/secret)" = "$(cat "$scratch/secret")" ] || die "the secret changed across the restart (not kept in the volume)"
[ "$(in_demo cat /data/node.key)" = "$(cat "$scratch/node.key")" ] || die "the node key changed across the restart"
[ "$(peer_id)" = "$first_peer" ] || die "the node's peer ID changed across the restart"
in_demo sh -c 'cat /data/files.json 2>/dev/null || true' | cmp -s - "$scratch/files-1" || die "the uploads' index changed across the restart"
in_demo cat /data/root-token >"$scratch/root-token-2"
stop_demo 2
say "restarted in a new container on the same volume: same secret, node key ($first_peer) and uploads ($(took "$t"))"

grep -q 'capsign demo ready' "$scratch/logs-1" || die "the demo's logs lack its ready line"
grep -q 'redis store' "$scratch/logs-1" || die "the API did not use Redis"
for run in 1 2; do
  for what in secret node.key root-token root-token-2; do
    value=$(tr -d '\n' <"$scratch/$what")
    [ -n "$value" ] || die "no $what to look for"
    ! grep -qF -- "$value" "$scratch/logs-$run" || die "the $what appears in docker logs (run $run)"
  done
  for password in alice-password bob-password; do
    ! grep -qF -- "$password" "$scratch/logs-$run" || die "a password appears in docker logs (run $run)"
  done
done
say "neither the secret, the node key, the root token nor a password appears in docker logs"
say "passed in $(took "$started")"
