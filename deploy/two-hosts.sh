#!/bin/sh
# Two app hosts on one machine, as docs/DEPLOY.md section 11 runs several:
# two gunicorn instances on two ports, one PostgreSQL database, one Redis,
# uploads in S3-compatible buckets and one task worker. Nothing is kept on a
# "host" that the other needs: sessions and the staff lock-out live in
# PostgreSQL, rate-limit counts in Redis, pictures in the buckets. Without
# S3_BUCKET in the environment a moto server (the S3 of the tests; its
# buckets live in its memory and are gone when it stops) is started here.
# Everything stops together, however it ends: Ctrl-C, a kill of this script,
# or any of its processes dying.
#
# Usage: DATABASE_URL=postgres://… deploy/two-hosts.sh [BIN]   (make two-hosts)
# BIN is the virtual environment's bin folder (.venv/bin); moto needs the
# development requirements. Environment, besides the site's own settings:
#   DATABASE_URL           PostgreSQL, required: SQLite cannot be shared
#   CACHE_URL              redis://127.0.0.1:6379/1 unless given
#   TWO_HOSTS_PORTS        "8001 8002": one gunicorn on each
#   TWO_HOSTS_ADDRESS      127.0.0.1: where they listen
#   TWO_HOSTS_S3_PORT      9000: moto's port, when it is started here
#   TWO_HOSTS_SETUP=false  skip migrate and collectstatic (done already)
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${1:-.venv/bin}
PORTS=${TWO_HOSTS_PORTS:-8001 8002}
ADDRESS=${TWO_HOSTS_ADDRESS:-127.0.0.1}
S3_PORT=${TWO_HOSTS_S3_PORT:-9000}

case "${DATABASE_URL:-}" in
postgres://* | postgresql://* | pgsql://*) ;;
*)
    echo "Two hosts share one PostgreSQL database: set DATABASE_URL=postgres://…" >&2
    exit 2
    ;;
esac
CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/1}
case "$CACHE_URL" in
redis://* | rediss://*) ;;
*)
    echo "Two hosts share one Redis: set CACHE_URL=redis://… (now $CACHE_URL)" >&2
    exit 2
    ;;
esac
export DATABASE_URL CACHE_URL

# Passwords in URLs are not printed.
MASK="s|//[^@/]*@|//|"
PIDS=""
stop() {
    # shellcheck disable=SC2086 (one word per process id)
    [ -n "$PIDS" ] && kill $PIDS 2>/dev/null
    wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

if [ -z "${S3_BUCKET:-}" ]; then
    "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >/dev/null 2>&1 &
    PIDS="$PIDS $!"
    export S3_BUCKET=tongyun-public S3_PRIVATE_BUCKET=tongyun-private
    export S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" S3_REGION=us-east-1
    export S3_ACCESS_KEY_ID=testing S3_SECRET_ACCESS_KEY=testing
    export S3_ADDRESSING_STYLE=path S3_PUBLIC_PREFIX= S3_PRIVATE_PREFIX=
    # The buckets as docs/DEPLOY.md asks: anyone may read the public one.
    "$BIN/python" - <<'EOF' || { stop; exit 1; }
import json, os, time
import boto3, botocore.exceptions

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["S3_ENDPOINT_URL"],
    region_name=os.environ["S3_REGION"],
    aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
)
for attempt in range(100):
    try:
        s3.list_buckets()
        break
    except botocore.exceptions.EndpointConnectionError:
        time.sleep(0.1)
else:
    raise SystemExit(f"No S3 server at {os.environ['S3_ENDPOINT_URL']}")
public, private = os.environ["S3_BUCKET"], os.environ["S3_PRIVATE_BUCKET"]
for bucket in (public, private):
    s3.create_bucket(Bucket=bucket)
read = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
policy = {"Version": "2012-10-17", "Statement": [read | {"Resource": f"arn:aws:s3:::{public}/*"}]}
s3.put_bucket_policy(Bucket=public, Policy=json.dumps(policy))
print(f"S3 (moto) at {os.environ['S3_ENDPOINT_URL']}: buckets {public}, {private}")
EOF
fi

# Migrations and static files once, for both hosts, as on one host of a
# real deployment.
if [ "${TWO_HOSTS_SETUP:-true}" != false ]; then
    "$BIN/python" manage.py migrate --no-input || { stop; exit 1; }
    "$BIN/python" manage.py collectstatic --no-input --verbosity 0 || { stop; exit 1; }
fi

"$BIN/python" manage.py db_worker --no-reload --interval 1 &
PIDS="$PIDS $!"
for port in $PORTS; do
    "$BIN/gunicorn" -c gunicorn.conf.py --bind "$ADDRESS:$port" &
    PIDS="$PIDS $!"
    echo "Host on http://$ADDRESS:$port/"
done
echo "Database $(echo "$DATABASE_URL" | sed "$MASK"), cache $(echo "$CACHE_URL" | sed "$MASK"); Ctrl-C stops all."

# Whichever stops first (wait -n is not in every sh: poll), stop the others.
running=true
while $running; do
    sleep 1
    for pid in $PIDS; do
        kill -0 "$pid" 2>/dev/null || running=false
    done
done
stop
exit 1
