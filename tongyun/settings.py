"""
Settings for Tongyun Garden City.

Every value comes from the environment, or from an optional git-ignored
``.env`` file beside ``manage.py`` (ENV_FILE names another, or none);
variables already set in the environment win over the file.
``.env.example`` lists each variable with a safe development value.

Production is the default: HTTPS only, secure cookies, HSTS. Only
LOCAL_MODE=true (which ``make run``'s ``.env`` sets) relaxes that, for a
site served over plain http://127.0.0.1.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.FileAwareEnv(
    DEBUG=(bool, False),
    SERVE_MEDIA=(bool, False),
)
# ENV_FILE unset: .env beside manage.py, when there is one. ENV_FILE=path:
# that file, which must exist. ENV_FILE= (empty): no file at all, so that
# only the environment counts (a service manager's environment, or a test
# of what a bare production environment gets).
_env_file = os.environ.get("ENV_FILE")
if _env_file is None:
    if (BASE_DIR / ".env").is_file():
        environ.Env.read_env(BASE_DIR / ".env")
elif _env_file:
    if not Path(_env_file).is_file():
        raise ImproperlyConfigured(f"ENV_FILE names {_env_file}, which is no file.")
    environ.Env.read_env(_env_file)

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def envbool(name, *, default):
    """
    The yes/no setting name, default when unset or empty. Anything but
    true/false, yes/no, on/off or 1/0 stops startup: read as false, a
    misspelt LOCAL_MODE or HSTS_PRELOAD would quietly pick a side.
    """
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def envnumber(name, *, default, kind=int):
    """The number setting name (an int, or kind), default when unset or
    empty; anything else stops startup with the setting's name."""
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None


# --- Core ---------------------------------------------------------------

# No default: a missing or empty key stops startup instead of running with a
# known one. SECRET_KEY_FILE (a path) works too, for secrets mounted as files.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY (or SECRET_KEY_FILE) in the environment or in .env; "
        "`make run` writes a .env with a fresh key."
    )
DEBUG = env("DEBUG")
# `make run` on one machine, over plain http://127.0.0.1: no HTTPS redirect,
# no HSTS, cookies sent over http, mail printed to the console. Never set it
# on a site others reach: everything HTTPS-only stays on without it.
LOCAL_MODE = envbool("LOCAL_MODE", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "tongyun.apps.StaffAdminConfig",  # django.contrib.admin, with the work queue
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its Sitemap classes and sitemap.xml template (tongyun.crawlers).
    "django.contrib.sitemaps",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    "simple_history",
    "tongyun.apps.TaskResultsConfig",  # django_tasks_db, its name translated
    "tongyun",
    "gardens",
    "events",
    "plantings",
    "artworks",
    "feedback",
]

MIDDLEWARE = [
    # Outermost, so that every answer carries their headers: pages, errors
    # the middlewares below raise (a bad Host header's 400, a CSRF 403), and
    # static files, which WhiteNoise answers before any view.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Its redirect to HTTPS names SECURE_SSL_HOST, never the request's Host:
    # a Host not allowed meets CommonMiddleware's 400, which passes back out
    # through here; checked here, it would fail before any header was set.
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that take gzip (most pages shrink to a
    # fifth). After WhiteNoise, which answers static files compressed
    # already; Django's version pads each answer (against BREACH).
    "tongyun.lib.compress.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, the first to read a body: refuses one too large to take
    # (413) without reading it (tongyun.lib.uploads).
    "tongyun.lib.uploads.RequestSizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sets request.user.is_verified(): has this session passed the second step?
    "django_otp.middleware.OTPMiddleware",
    # After authentication: history records the staff member who made a
    # change (tongyun.lib.history says how public pages record none).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as axes asks: it turns a login refused by the lock-out into the
    # lock-out page (tongyun.lockout.locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongyun.urls"
WSGI_APPLICATION = "tongyun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# --- Database -----------------------------------------------------------

# SQLite by default; DATABASE_URL=postgres://… for PostgreSQL. Connections
# persist between requests: opening one per request cost 3.5x throughput.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A relative SQLite path is relative to the project, not the shell.
    DATABASES["default"]["NAME"] = str(BASE_DIR / DATABASES["default"]["NAME"])
    # Writers take turns instead of failing. Each transaction takes the write
    # lock as it begins (IMMEDIATE): one that began by reading could not
    # become a writer once another had written, and would fail at once with
    # "database is locked", busy timeout or not. A writer waits up to
    # SQLITE_TIMEOUT seconds for the lock; past that the page says "busy"
    # (503, tongyun.views.server_error). WAL lets pages read meanwhile.
    # Options given in DATABASE_URL (?timeout=…) win.
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("timeout", envnumber("SQLITE_TIMEOUT", default=5, kind=float))
    _sqlite.setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No just-in-time compilation: the pages' queries are short, and at
    # benchmark scale PostgreSQL spent 0.98 s of a species page's 1.1 s
    # query compiling it. Options given in DATABASE_URL win.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache --------------------------------------------------------------

# Every app process must see the same counts (the rate limits of
# tongyun.lib.limits live here): by default a table in the database
# (dbcache://tongyun_cache; `make run` creates it with createcachetable),
# which the workers of one machine share; redis://… for several hosts. A
# process's own memory (locmemcache://) would let each worker count alone.


def caches_from(url):
    """The CACHES of the cache at url: the counts' cache and the pages'."""
    default = env.cache_url_config(url)
    if default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
        # The same, with an incr() that two workers cannot interleave.
        default["BACKEND"] = "tongyun.lib.cache.DatabaseCache"
        # Django culls a third of the entries past 300, rate-limit counts too.
        default.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
    if default["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # A Redis refused or hung costs a request a second at most, not a
        # hung worker: each call gives up after a second, and after a failure
        # each process leaves Redis alone for a few seconds
        # (tongyun.lib.cache.RedisCache); the rate limits and the page cache
        # then do without it.
        default["BACKEND"] = "tongyun.lib.cache.RedisCache"
        options = default.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
    # Anonymous visitors' pages (tongyun.lib.pagecache), kept beside the
    # counts but apart from them, so that pages crowding the cache never cull
    # a count: their own table on one machine, their own key prefix in Redis.
    pages = {**default, "KEY_PREFIX": "pages"}
    if default["BACKEND"] == "tongyun.lib.cache.DatabaseCache":
        pages.update(LOCATION="tongyun_page_cache", OPTIONS={"MAX_ENTRIES": 20_000})
    return {"default": default, "pages": pages}


CACHES = caches_from(env.str("CACHE_URL", default="dbcache://tongyun_cache"))
# Kept pages live at most PAGE_CACHE_SECONDS, and are dropped sooner by any
# write to what they show; 0 turns the page cache off.
PAGE_CACHE_SECONDS = envnumber("PAGE_CACHE_SECONDS", default=60)
# How long a kept page stays in the cache after it is no longer fresh: the
# copy served while PostgreSQL is away (restarting, stopped). A day covers a
# night's outage; the day is part of each page's key anyway.
PAGE_CACHE_STALE_SECONDS = envnumber("PAGE_CACHE_STALE_SECONDS", default=24 * 60 * 60)
# The apps whose rows kept pages show: a write to one, in any process (a
# page, the admin, a command, the task worker), drops the pages that follow it.
PAGE_CACHE_APPS = ["gardens", "plantings", "events", "artworks", "feedback", "tongyun"]


# --- Internationalisation ----------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates that cannot be misread: 2024-04-07, "7 April 2024".
FORMAT_MODULE_PATH = ["tongyun.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True


# --- Static and media files ---------------------------------------------

STATIC_URL = "/static/"
# Relative paths are relative to the project.
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", default="staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / env("MEDIA_ROOT", default="media")
# The one-machine mode of `make run` serves uploads itself; behind a web
# server or with S3-compatible storage, leave this off.
SERVE_MEDIA = env("SERVE_MEDIA")
# Artwork images are private until approved: they live outside MEDIA_ROOT and
# are served by artworks.views.image, which checks who may see them.
PRIVATE_MEDIA_ROOT = BASE_DIR / env("PRIVATE_MEDIA_ROOT", default="private-media")
# Behind nginx, the app checks who may see a private picture, then answers
# with an empty body and X-Accel-Redirect: this prefix and the file's name,
# which nginx serves from an `internal` location aliasing PRIVATE_MEDIA_ROOT
# (deploy/nginx/tongyun.conf), so no worker is held while a phone downloads.
# Empty (the default, `make run`): the app sends the file itself. Unused
# with S3_BUCKET, whose pictures go out as signed URLs.
PRIVATE_MEDIA_ACCEL_REDIRECT = env("PRIVATE_MEDIA_ACCEL_REDIRECT", default="")
if PRIVATE_MEDIA_ACCEL_REDIRECT and not re.fullmatch(
    r"(/[A-Za-z0-9_-]+)+/", PRIVATE_MEDIA_ACCEL_REDIRECT
):
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ACCEL_REDIRECT must be a path that starts and ends "
        "with /, such as /_private/, or empty."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "artworks": {"BACKEND": "tongyun.lib.storage.PrivateStorage"},
    "suggestions": {"BACKEND": "tongyun.lib.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Several hosts: uploads in S3-compatible buckets (django-storages), once
# S3_BUCKET is set; left empty, the folders above. Staff photos go to
# S3_BUCKET, which must let anyone read them (their URLs carry no
# signature). Residents' pictures go to S3_PRIVATE_BUCKET, which nobody may
# read: the app checks who asks, then redirects to a URL signed for
# S3_SIGNED_URL_SECONDS. One bucket may hold both under two prefixes, when
# its policy lets anyone read S3_PUBLIC_PREFIX only.
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    from tongyun.lib.s3 import s3_origins

    _s3 = {
        "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
        "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env("S3_REGION", default="") or None,
        "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": False,
    }
    if _s3["addressing_style"] not in (None, "path", "virtual"):
        raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be path or virtual.")
    _s3_private_bucket = env("S3_PRIVATE_BUCKET", default="") or S3_BUCKET
    _s3_public_prefix = env("S3_PUBLIC_PREFIX", default="").strip("/")
    _s3_private_prefix = env("S3_PRIVATE_PREFIX", default="").strip("/")
    if _s3_private_bucket == S3_BUCKET and (
        not _s3_private_prefix
        or not _s3_public_prefix
        or _s3_private_prefix.startswith(_s3_public_prefix + "/")
        or _s3_public_prefix.startswith(_s3_private_prefix + "/")
        or _s3_private_prefix == _s3_public_prefix
    ):
        raise ImproperlyConfigured(
            "S3_PRIVATE_BUCKET must differ from S3_BUCKET, or else "
            "S3_PUBLIC_PREFIX and S3_PRIVATE_PREFIX must be set and apart."
        )
    _s3_custom_domain = env("S3_CUSTOM_DOMAIN", default="") or None
    _s3_private = {
        "BACKEND": "tongyun.lib.storage.PrivateS3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": _s3_private_bucket,
            "location": _s3_private_prefix,
            "querystring_expire": envnumber("S3_SIGNED_URL_SECONDS", default=60),
        },
    }
    STORAGES |= {
        "default": {
            "BACKEND": "tongyun.lib.storage.PublicS3Storage",
            "OPTIONS": {
                **_s3,
                "bucket_name": S3_BUCKET,
                "location": _s3_public_prefix,
                "custom_domain": _s3_custom_domain,
            },
        },
        "artworks": _s3_private,
        "suggestions": _s3_private,
    }
    S3_ORIGINS = s3_origins(
        endpoint_url=_s3["endpoint_url"],
        bucket_names=[S3_BUCKET, _s3_private_bucket],
        custom_domain=_s3_custom_domain,
        region=_s3["region_name"],
        addressing_style=_s3["addressing_style"],
    )
else:
    S3_ORIGINS = []


# --- Uploads ------------------------------------------------------------

# Pictures (artworks, and the photos staff upload) are at most 20 MB each
# and are checked, shrunk and re-encoded by tongyun.lib.images. Fields other
# than files may take 1 MB a request; a body larger than one picture plus
# that is refused with 413 before it is read (tongyun.lib.uploads), so a
# proxy in front should stop at the same 21 MB (nginx: client_max_body_size
# 21m). Files over Django's 2.5 MB FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to
# a temporary file while the request is read, and decoded from there.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024


# --- Security -----------------------------------------------------------

# Nothing loads from another host: the site must work on a closed network.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Pictures from S3-compatible buckets, when uploads live there.
    "img-src": [CSP.SELF, "data:", *S3_ORIGINS],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS only, unless LOCAL_MODE: plain http is redirected, cookies never
# travel without it, and browsers are told to use nothing else for
# HSTS_SECONDS (a year; try a new HTTPS setup with a few minutes first).
# /healthz stays answerable over http, for a monitor that asks the app
# server directly.
SECURE_SSL_REDIRECT = not LOCAL_MODE
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not LOCAL_MODE
SECURE_HSTS_SECONDS = 0 if LOCAL_MODE else envnumber("HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading (hstspreload.org) builds HTTPS-only into browsers for the whole
# domain, and takes months to undo: the street office opts in knowingly,
# with HSTS_PRELOAD=true, once every subdomain serves HTTPS. Until then
# Django's reminder that it is off (security.W021) is expected.
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", default=False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("HSTS_SECONDS must be 0 or more.")
if SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS < 31536000:
    raise ImproperlyConfigured(
        "HSTS_PRELOAD needs HSTS_SECONDS of at least 31536000 (a year)."
    )
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# TRUSTED_PROXY=true: a reverse proxy (nginx, docs/DEPLOY.md) that ends
# HTTPS answers every request and sets X-Forwarded-Proto itself, replacing
# whatever a client sent. Only then does that header say a request came
# over HTTPS; without a proxy a client could send it to pass for secure.
TRUSTED_PROXY = envbool("TRUSTED_PROXY", default=False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A staff session ends when the browser closes, and at the latest 8 hours
# after it last changed (signing in, the second step). The public pages
# keep nothing longer: "find my sign-up" holds a proven phone for 30
# minutes, and the language choice is a cookie of its own.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60

# Axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

_validators = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_validators}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_validators}.MinimumLengthValidator"},
    {"NAME": f"{_validators}.CommonPasswordValidator"},
    {"NAME": f"{_validators}.NumericPasswordValidator"},
]

# Imports add rows, exports read them: each needs that permission on its
# model. Left unset, django-import-export lets any staff account do both.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A file between its preview and its confirmation waits in the shared cache,
# not in one host's temporary folder: the confirmation may reach another
# app host.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"


# --- Mail ---------------------------------------------------------------

# MAIL_BACKEND is a choice production must make: smtp (MAIL_HOST and the
# rest) or none (nothing is mailed; each dropped mail is logged). Local mode
# prints mail to the console unless told otherwise. A backend's dotted path
# works too.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "none": "tongyun.lib.mail.NoMailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_mail_backend = env.str("MAIL_BACKEND", default="") or ("console" if LOCAL_MODE else "")
if not _mail_backend:
    raise ImproperlyConfigured(
        "Set MAIL_BACKEND: smtp (with MAIL_HOST, MAIL_PORT, MAIL_USER, "
        "MAIL_PASSWORD, MAIL_USE_TLS) to send mail, or none to send none."
    )
_mail_backend = MAIL_BACKENDS.get(_mail_backend, _mail_backend)
if "." not in _mail_backend:
    raise ImproperlyConfigured(
        f"MAIL_BACKEND must be smtp, none, console or a backend's dotted path, "
        f"not {_mail_backend!r}."
    )
_mail_options = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env("MAIL_HOST", default="localhost"),
        "port": env.int("MAIL_PORT", default=25),
        "username": env("MAIL_USER", default=""),
        "password": env("MAIL_PASSWORD", default=""),
        "use_tls": env.bool("MAIL_USE_TLS", default=False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}


# --- Volunteers' messages ----------------------------------------------

# Absolute links in messages (tickets) start with this.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Plain http is redirected to the site's own host, the one SITE_URL names.
if SITE_URL.startswith("https://"):
    SECURE_SSL_HOST = SITE_URL.removeprefix("https://").split("/")[0]
# A font with Simplified Chinese (.ttf, .otf or .ttc) for share posters;
# empty: the system's, found through fontconfig or in Debian's places
# (tongyun.lib.posters.find_font).
POSTER_FONT = env("POSTER_FONT", default="")
# Where messages to volunteers and one-time codes go (tongyun.lib.senders):
# LogSender (the log: what went to whom, phones masked, codes shown, never
# links), EmailSender (e-mail when given), AliyunSmsSender (SMS).
NOTIFY_SENDER = env("NOTIFY_SENDER", default="tongyun.lib.senders.LogSender")
# Aliyun SMS (dysmsapi SendSms), used by AliyunSmsSender. Templates map each
# message kind to an approved template code: verification_code (param
# code), signed_up, promoted, reminder (params name, event, time, token);
# a kind without a template is mailed or logged instead.
ALIYUN_SMS_ENDPOINT = env(
    "ALIYUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"
)
ALIYUN_SMS_REGION = env("ALIYUN_SMS_REGION", default="cn-hangzhou")
ALIYUN_SMS_ACCESS_KEY_ID = env("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env("ALIYUN_SMS_SIGN_NAME", default="")
ALIYUN_SMS_TEMPLATES = env.dict("ALIYUN_SMS_TEMPLATES", default={})
# Seconds to wait for the API before the message counts as not sent.
ALIYUN_SMS_TIMEOUT = env.float("ALIYUN_SMS_TIMEOUT", default=10.0)
if NOTIFY_SENDER.endswith(".AliyunSmsSender") and not (
    ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME
):
    raise ImproperlyConfigured(
        "NOTIFY_SENDER is AliyunSmsSender: set ALIYUN_SMS_ACCESS_KEY_ID, "
        "ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME."
    )
# Messages leave the request: the sign-up answers at once and a worker
# sends (django.tasks, events/tasks.py). The database backend keeps the
# queue in the site's own database, so one machine needs no other service:
# `make run` starts `manage.py db_worker` beside gunicorn, production runs
# it as its own service (docs/DEPLOY.md). Staff see each task's result in
# the admin.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A message the sender could not send is tried again this many times in
# all, the n-th retry after NOTIFY_RETRY_DELAY * 4**(n-1) seconds.
NOTIFY_ATTEMPTS = env.int("NOTIFY_ATTEMPTS", default=4)
NOTIFY_RETRY_DELAY = env.int("NOTIFY_RETRY_DELAY", default=60)
# Spreadsheet exports escape formulas through tongyun.lib.spreadsheets'
# formats, which every admin export uses.


# --- Client addresses and rate limits ----------------------------------

# How many reverse proxies stand in front of the app, each appending to
# X-Forwarded-For the address it was reached from (tongyun.lib.clients):
# 0, none, REMOTE_ADDR is the client and X-Forwarded-For is ignored; 1, one
# nginx; 2, a load balancer and nginx. Never more than there are: the extra
# addresses would be whatever the client wrote.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# The staff lock-out counts the same address as the rate limits.
AXES_CLIENT_IP_CALLABLE = "tongyun.lib.clients.client_address"

# Every public form is rate limited per client network in the cache above;
# load tests switch it off with RATELIMIT_ENABLE=false.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(name, default):
    """A "count/period" variable ("10/h", "30/15m") as (count, seconds)."""
    text = env(name, default=default).strip()
    count, _, period = text.partition("/")
    unit, digits = period[-1:], period[:-1] or "1"
    if not (count.isdigit() and digits.isdigit() and unit in _PERIODS):
        raise ImproperlyConfigured(
            f"{name} must be a count per period such as 10/h or 30/15m, not {text!r}."
        )
    if int(count) < 1 or int(digits) < 1:
        raise ImproperlyConfigured(f"{name} must allow at least 1 per period.")
    return int(count), int(digits) * _PERIODS[unit]


# tongyun.lib.limits; the views say what each counts, and for what key.
RATE_LIMITS = {
    # Seats that one network may take of one event (sign-ups accepted,
    # confirmed or waiting, by headcount): made-up phones cannot empty it.
    "signup_seats": _rate("RATE_LIMIT_SIGNUP_SEATS", "10/h"),
    # Works one network may send to one call.
    "artwork_works": _rate("RATE_LIMIT_WORKS", "10/h"),
    # Forms refused (a mistyped phone, a closed call), per network and form,
    # apart from those accepted and far more generously: a mistake, or a
    # whole office behind one address, must not lock anyone out.
    "refused": _rate("RATE_LIMIT_REFUSED", "30/h"),
    # Cancelling and taking free seats on a ticket: every POST.
    "ticket_changes": _rate("RATE_LIMIT_TICKET_CHANGES", "20/h"),
    # Find my sign-ups: every POST of both steps (codes sent to one phone
    # have their own limit in the database, tongyun.services).
    "find": _rate("RATE_LIMIT_FIND", "20/h"),
    # Suggestions one network may send (the refused ones count apart).
    "suggest": _rate("RATE_LIMIT_SUGGEST", "10/h"),
    # Survey answers one network may send: a household, or a building's
    # shared connection, answers from several phones.
    "survey": _rate("RATE_LIMIT_SURVEY", "30/h"),
}


# --- Personal data retention --------------------------------------------

# Days that volunteers' phones and e-mails are kept after their event ends,
# and artwork submitters' contacts (and rejected works) after their call
# closes: `manage.py purge_personal_data`, run daily, erases them then, from
# the rows and their history (tongyun.lib.retention). The sign-up and
# submission forms promise this number.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=90)
if RETENTION_DAYS < 1:
    raise ImproperlyConfigured("RETENTION_DAYS must be a whole number of at least 1.")


# --- Change history -----------------------------------------------------

# Who changed what (django-simple-history; tongyun.lib.history). No revert
# from the history: a restored row would skip the services that keep the
# events' capacity and the waiting list, and the donation ledger's rules,
# and could bring back personal data the purge erased.
SIMPLE_HISTORY_REVERT_DISABLED = True


# --- Staff login: lock-out and second step ------------------------------

# After LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one
# client address, logins are refused for LOGIN_LOCKOUT_MINUTES after the last
# attempt (`manage.py unlock_staff` lifts it sooner). Each of the two
# parameters locks on its own: ["username", "ip_address"] counts per account
# and, separately, per address; [["username", "ip_address"]] would count only
# the pair, which guessing from many addresses, or many accounts, would dodge.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
if AXES_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be whole numbers of "
        "at least 1."
    )
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Counts live in the database, so that every app server sees the same ones.
# The handler resets only the account's own count on a successful login
# (AXES_RESET_ON_SUCCESS), never its address's: see tongyun.lockout.
AXES_HANDLER = "tongyun.lockout.AccountResetHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongyun.lockout.locked_out"
# The client address is tongyun.lib.clients' (AXES_CLIENT_IP_CALLABLE,
# above), so an X-Forwarded-For header sent by the client changes nothing.
# Lock-outs are read and lifted with `unlock_staff`; axes' own admin pages
# stay off, as they are English only and show what each failed login posted.
AXES_ENABLE_ADMIN = False
# Nor does axes keep its log of every login (address, browser): nothing here
# reads it, and it would keep staff's addresses with no end.
AXES_DISABLE_ACCESS_LOG = True

# The second step: a code from an authenticator app (TOTP) or a backup code,
# asked after the password before any admin page opens. On unless DEBUG;
# ADMIN_REQUIRE_2FA=false turns it off for trying the admin locally.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=not DEBUG)
# The name under which the authenticator app lists the account.
OTP_TOTP_ISSUER = "通运花园城"
# Secret keys never show in the admin (tongyun.apps also takes django-otp's
# device pages out of it).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True


# --- Logging ------------------------------------------------------------

# Everything goes to the console (stderr), through a filter that replaces
# the secret part of ticket, status and check-in links ("/signups/[token]/")
# wherever it appears: a 404's "Not Found: /signups/…", a traceback, a login
# page's ?next=. Django's own loggers lose their handlers, which would print
# unfiltered (runserver) or mail a whole request, and pass their records up
# to it. gunicorn's logs are filtered alike (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "tongyun.lib.logs.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "loggers": {
        name: {"handlers": [], "level": "INFO", "propagate": True}
        for name in ("django", "django.server")
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
