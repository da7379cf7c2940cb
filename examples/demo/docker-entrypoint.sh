#!/bin/bash
# The capsign demo in its container (examples/demo/Dockerfile): the two servers as run.py
# starts them, with gunicorn for the web service. run.py's prepare_data makes the secret,
# the node key and (without DEMO_USERS) the users on first start, in the volume. When
# either server stops, the other is stopped too and the container exits (non-zero
# unless it was asked to stop).
set -euo pipefail
: "${DEMO_WEB_ORIGIN:=http://127.0.0.1:$DEMO_WEB_PORT}" "${DEMO_API_URL:=http://127.0.0.1:$DEMO_API_PORT}"
given_users=${DEMO_USERS+given}
prepare='import pathlib, sys; sys.path.insert(0, sys.argv[1]); import run
print(*run.prepare_data(pathlib.Path(sys.argv[2])), sep="\n")'
{ read -r DEMO_SECRET_FILE; read -r DEMO_NODE_KEY_FILE; read -r DEMO_USERS; } \
  < <(python -c "$prepare" /app/examples/demo "$DEMO_DATA")
export DEMO_WEB_ORIGIN DEMO_API_URL DEMO_SECRET_FILE DEMO_NODE_KEY_FILE DEMO_USERS
node /app/examples/demo/api/server.js & api=$!
# --preload: one app, so one session key, for all the workers.
gunicorn --bind "$DEMO_HOST:$DEMO_WEB_PORT" --chdir /app/examples/demo/web --preload \
  --workers "${WEB_CONCURRENCY:-2}" --threads 4 --worker-tmp-dir /dev/shm \
  --graceful-timeout 5 --no-control-socket --access-logfile - "app:create_app()" & web=$!
stopping=
stop() { stopping=1; kill -TERM "$api" "$web" 2>/dev/null || true; }
trap stop TERM INT
for port in "$DEMO_API_PORT" "$DEMO_WEB_PORT"; do
  until (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    kill -0 "$api" "$web" 2>/dev/null || break 2; sleep 0.2
  done
done
if kill -0 "$api" "$web" 2>/dev/null && [ -z "$stopping" ]; then
  echo "capsign demo ready: open $DEMO_WEB_ORIGIN  (file and RPC API: $DEMO_API_URL; data in $DEMO_DATA)"
  [ -n "$given_users" ] || echo "  users and passwords: $DEMO_DATA/users.json (docker exec <container> cat $DEMO_DATA/users.json)"
fi
status=0; wait -n "$api" "$web" || status=$?
stop; wait || true
if [ -n "$stopping" ] && [ "$status" -gt 128 ]; then status=0; fi
[ -n "$stopping" ] || echo "capsign demo: a server stopped unexpectedly ($status)" >&2
exit "$status"
