"""
gunicorn's settings for Tongyun Garden City, read by `make run` and the
service of docs/DEPLOY.md: `gunicorn -c gunicorn.conf.py --bind …`.
Command-line options win over these.
"""

import os

wsgi_app = "tongyun.wsgi"
# Two processes unless WEB_CONCURRENCY says otherwise (about two per core).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# No control socket: nothing here manages gunicorn at run time, and several
# instances on one machine (tests, a second site) would share its path.
control_socket_disable = True

# Both logs to the console (stdout: access, stderr: errors), for the
# service manager to keep. The logger class replaces the secret part of
# ticket, status and check-in links with "[token]" in both, whatever the
# format shows (tongyun.lib.logs).
accesslog = "-"
errorlog = "-"
logger_class = "tongyun.lib.logs.GunicornLogger"
# Apache's combined format, plus the proxy's X-Forwarded-For and the time
# taken in milliseconds.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    '"%({x-forwarded-for}i)s" %(M)sms'
)
