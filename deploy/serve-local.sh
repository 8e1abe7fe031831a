#!/bin/sh
# `make run`'s server on one machine: gunicorn, and beside it the worker
# that sends the volunteers' messages (manage.py db_worker, events/tasks.py).
# They stop together, however it ends: Ctrl-C, a kill of this script,
# gunicorn failing to start or the worker dying.
# Usage: deploy/serve-local.sh BIN HOST:PORT
set -u
BIN=$1
BIND=$2

"$BIN/python" manage.py db_worker --no-reload --interval 1 &
WORKER=$!
"$BIN/gunicorn" -c gunicorn.conf.py --bind "$BIND" &
WEB=$!

stop() {
    kill "$WEB" "$WORKER" 2>/dev/null
    wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

# Whichever stops first (wait -n is not in every sh: poll), stop the other.
while kill -0 "$WEB" 2>/dev/null && kill -0 "$WORKER" 2>/dev/null; do
    sleep 1
done
stop
