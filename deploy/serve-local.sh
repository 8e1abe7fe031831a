#!/bin/sh
# `make run`'s server on one machine: gunicorn, and beside it the worker
# that sends the volunteers' messages (manage.py db_worker, events/tasks.py).
# The worker stops when gunicorn stops, however it stops: Ctrl-C, a kill,
# or gunicorn failing to start. Usage: deploy/serve-local.sh BIN HOST:PORT
set -u
BIN=$1
BIND=$2

"$BIN/python" manage.py db_worker --no-reload --interval 1 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/gunicorn" -c gunicorn.conf.py --bind "$BIND"
