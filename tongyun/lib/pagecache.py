"""
Anonymous visitors' pages from the shared cache (the "pages" cache: Redis
when CACHE_URL names it, a table of the database on one machine), so that a
WeChat post sending thousands of residents to one page costs one render,
not thousands.

A view says which apps' data its page shows:

    @cached_page("events", "gardens")
    def event_list(request): ...

and its page is kept under those apps' version keys. Every write to a model
of such an app bumps the app's version once the transaction commits: a
save() or delete() through the model signals, a write that skips them
through tongyun.lib.history (bulk_update, bulk_create, record_changes), as
every such write in the services already does. So a page is never served
after a change to what it shows; nobody sees stale seats left, a withdrawn
work or an old reply. A page is fresh for PAGE_CACHE_SECONDS anyway, which
bounds what the clock alone changes (an event starting, a new day's
blooms) and what a bump lost to a cache outage leaves.

The database going away (PostgreSQL stopped or restarting) does not take
the public pages with it: a kept page stays in the cache for
PAGE_CACHE_STALE_SECONDS, and when rendering it again fails because the
database is out of reach (tongyun.lib.db.is_unavailable; any other error
stays an error), the last copy is served, however old, whatever changed
since; residents see the page as it was, `X-Page-Cache: stale` says so to
whoever looks. Only with a cache apart from the database (Redis): pages
kept in the database's own table go with it.

What is never cached: anything but GET and HEAD; visitors with a session
(staff, a resident finding their sign-ups) or a message waiting; answers
other than 200, with cookies of their own or marked private or no-store.
Each page is kept per path with query, language and day, for every host.

Every page carries the language form's CSRF token, which belongs to one
browser: the kept copy holds a placeholder instead, and each visitor gets
their own token in its place. A cached page answers with an ETag (the
page's content and the visitor's token secret) and Last-Modified (when it
was rendered), and a conditional GET that matches gets 304 without any
render. A kept page is kept compressed too (see _gzipped). `X-Page-Cache:
hit | miss | bypass | stale` says what happened.

The cache failing (Redis gone) never fails a page: it is rendered as if
uncached, and the failure logged.
"""

import functools
import gzip
import hashlib
import logging
import re
import secrets
import struct
import time
import zlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import checks
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import signals
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date
from django.utils.translation import get_language

from . import db
from .cache import now_and_then
from .dates import today
from .limits import UNSHARED_CACHES

logger = logging.getLogger(__name__)

ALIAS = "pages"
HEADER = "X-Page-Cache"
# What a kept page holds where the visitor's CSRF token goes.
PLACEHOLDER = "\x00csrf-token\x00"
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
# Headers a kept page does not keep: the visitor's own, or set again.
_NOT_KEPT = {
    "set-cookie",
    "vary",
    "cache-control",
    "expires",
    "etag",
    "last-modified",
    "content-length",
    "content-language",
}


def check_page_cache(app_configs, **kwargs):
    """
    `check --deploy`: kept pages need a cache every app process shares; in
    one process's memory, a change made through one gunicorn worker would
    leave the others serving the old page until it expires.
    """
    backend = settings.CACHES[ALIAS]["BACKEND"]
    if not settings.PAGE_CACHE_SECONDS or backend not in UNSHARED_CACHES:
        return []
    return [
        checks.Warning(
            "Public pages are kept in a cache that the app's processes do not "
            "share: a change would not reach the pages of the others.",
            hint="Set CACHE_URL to dbcache://tongyun_cache on one machine, or "
            "to redis://… for several; or PAGE_CACHE_SECONDS=0.",
            obj=backend,
            id="tongyun.W002",
        )
    ]


def _seconds():
    return settings.PAGE_CACHE_SECONDS


def _version_key(topic):
    return f"v:{topic}"


def _page_key(request):
    # Not the host: pages name none (links in messages use SITE_URL), and
    # every app host behind the balancer must find what another kept.
    place = "|".join(
        (
            request.get_full_path(),
            get_language() or "",
            today().isoformat(),
        )
    )
    return "p:" + hashlib.sha256(place.encode()).hexdigest()


def _is_for_everyone(request):
    """May this request be answered from, and fill, the shared cache?"""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _may_keep(response):
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def cached_page(*topics):
    """
    Decorate a public view: anonymous visitors get its page from the shared
    cache, kept until a write to one of the apps named (their labels)
    commits. See the module's docstring for what is never cached.
    """
    unknown = set(topics) - set(settings.PAGE_CACHE_APPS)
    if unknown:
        raise ImproperlyConfigured(
            f"Pages can only follow the apps of PAGE_CACHE_APPS, not {unknown}."
        )
    topics = tuple(sorted(topics))

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _seconds():
                return view(request, *args, **kwargs)
            if not _is_for_everyone(request):
                response = view(request, *args, **kwargs)
                response[HEADER] = "bypass"
                return response
            return _serve(request, topics, view, args, kwargs)

        return wrapper

    return decorator


def private_posts(view):
    """
    Decorate a form's view under cached_page: what a POST answers (a form
    refused with what the visitor typed) is never stored by anyone
    (never_cache's headers); the blank form its GET shows is left to the
    page cache.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            add_never_cache_headers(response)
        return response

    return wrapper


def _serve(request, topics, view, args, kwargs):
    cache = caches[ALIAS]
    key = _page_key(request)
    version_keys = [_version_key(topic) for topic in topics]
    try:
        found = cache.get_many([key, *version_keys])
        versions = [found.get(version_key) for version_key in version_keys]
        kept = found.get(key)
        if _is_fresh(kept, versions):
            return _answer(request, kept, "hit")
        if None in versions:
            # Before rendering: a version given after it could already be
            # one a write made after the page read its rows.
            versions = _start_versions(cache, version_keys, versions)
    except Exception:
        _out_of_reach("rendering")
        return view(request, *args, **kwargs)

    try:
        response = _rendered(view(request, *args, **kwargs))
    except (OperationalError, InterfaceError) as error:
        if kept is None or not db.is_unavailable(error):
            raise
        # PostgreSQL is out of reach: the page as last rendered, however
        # old or changed since, rather than no page at all.
        _database_away(request)
        return _answer(request, kept, "stale")
    if not _may_keep(response):
        response[HEADER] = "bypass"
        return response
    try:
        kept = _kept(response, versions)
        # Kept past its freshness (_is_fresh), as the copy to serve while
        # the database is away.
        cache.set(key, kept, max(_seconds(), settings.PAGE_CACHE_STALE_SECONDS))
    except Exception:
        _out_of_reach("not kept")
        response[HEADER] = "bypass"
        return response
    # The visitor gets the page as rendered, only with the headers of a kept
    # one, so that their next visit can be a 304.
    return _validated(request, response, kept, "miss")


def _is_fresh(kept, versions):
    """May kept be served as it is: rendered under the topics' current
    versions, and at most PAGE_CACHE_SECONDS ago?"""
    return (
        kept is not None
        and None not in versions
        and kept["versions"] == versions
        and time.time() - kept["rendered_at"] < _seconds()
    )


def _rendered(response):
    # A TemplateResponse renders after the view returns: rendered here, its
    # queries fail where a stale copy can still stand in.
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


def _database_away(request):
    """Log stale pages served, now and then (a restart must not flood it)."""
    if now_and_then("database away"):
        logger.warning(
            "The database is out of reach; kept pages are served stale (%s).",
            request.path,
        )


def _out_of_reach(what):
    """Log the cache failing, now and then: a cache gone for a minute must
    not flood the log with a line per page."""
    if now_and_then("page cache"):
        logger.warning("The page cache is out of reach; %s.", what, exc_info=True)


def _start_versions(cache, version_keys, versions):
    """Give the topics with no version one (add: whoever writes first wins)."""
    for version_key, version in zip(version_keys, versions, strict=True):
        if version is None:
            cache.add(version_key, secrets.token_hex(8), None)
    current = cache.get_many(version_keys)
    return [current.get(version_key) for version_key in version_keys]


def _kept(response, versions):
    html = response.content.decode(response.charset)
    # The page in parts around its tokens, each part also deflated alone.
    parts = [
        part.encode(response.charset)
        for part in _TOKEN.sub(lambda m: m[1] + PLACEHOLDER + m[2], html).split(
            PLACEHOLDER
        )
    ]
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()[:32]
    return {
        "versions": versions,
        "rendered_at": int(time.time()),
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() not in _NOT_KEPT
        ],
        "parts": parts,
        "deflated": [_deflate(part) for part in parts],
        "digest": digest,
    }


# --- Compression of kept pages --------------------------------------------
#
# Compressing a page costs more than everything else a kept page takes, so
# a kept page holds its parts deflated already, each from a fresh start and
# ended with a full flush: such pieces, the visitor's token deflated the same
# way between them, make one valid deflate stream. The gzip answer is that
# stream in gzip's frame, with a random-length file name as Django's
# GZipMiddleware adds (against BREACH; the token is compressed alone anyway).

_GZIP_HEADER = bytes([0x1F, 0x8B, 8, gzip.FNAME, 0, 0, 0, 0, 0, 255])
_LAST_BLOCK = zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def _deflate(data):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _gzipped(kept, token):
    pieces = [kept["deflated"][0]]
    deflated_token = _deflate(token) if token else b""
    for deflated in kept["deflated"][1:]:
        pieces += [deflated_token, deflated]
    body = token.join(kept["parts"])
    name = b"a" * secrets.randbelow(100) + b"\0"
    trailer = struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, name, *pieces, _LAST_BLOCK, trailer])


def _etag(request, kept):
    """The page's, and for a page with a form, the visitor's token secret's."""
    if len(kept["parts"]) == 1:
        return f'W/"{kept["digest"]}"'
    secret = request.META.get("CSRF_COOKIE") or ""
    mixed = hashlib.sha256(f"{kept['digest']}:{secret}".encode()).hexdigest()
    return f'W/"{mixed[:32]}"'


def _validated(request, response, kept, how):
    """
    response with the kept page's validators, or a 304 when the visitor's
    copy is current; X-Page-Cache says how it was answered.
    """
    response[HEADER] = how
    # Kept per language, which a cookie or the browser's Accept-Language
    # chose: a browser or proxy must not reuse one language's copy.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response["ETag"] = _etag(request, kept)
    response["Last-Modified"] = http_date(kept["rendered_at"])
    # Every visit asks again (a 304 is cheap); the token is the visitor's.
    patch_cache_control(response, private=True, no_cache=True)
    conditional = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=kept["rendered_at"],
        response=response,
    )
    conditional[HEADER] = how
    return conditional


def _answer(request, kept, how):
    # The visitor's own token; a first visit gets its cookie here.
    token = get_token(request).encode() if len(kept["parts"]) > 1 else b""
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(_gzipped(kept, token))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(token.join(kept["parts"]))
    for name, value in kept["headers"]:
        response[name] = value
    patch_vary_headers(response, ("Accept-Encoding",))
    return _validated(request, response, kept, how)


# --- Invalidation ---------------------------------------------------------


def bump(*topics):
    """Give each topic a new version: its kept pages are never served again."""
    if not topics or not _seconds():
        return
    try:
        caches[ALIAS].set_many(
            {_version_key(topic): secrets.token_hex(8) for topic in topics}, None
        )
    except Exception:
        # Kept pages then live until they expire (PAGE_CACHE_SECONDS).
        logger.error("Could not bump the page cache's %s.", topics, exc_info=True)


class _Bump:
    """The one on_commit callback of a transaction, bumping what it wrote."""

    def __init__(self):
        self.topics = set()

    def __call__(self):
        bump(*self.topics)


def changed(model, using=None):
    """
    Say that rows of model were written: its app's pages are bumped when
    the transaction commits (at once outside one). One bump per app and
    transaction, however many rows.
    """
    topic = model._meta.app_label
    if topic not in settings.PAGE_CACHE_APPS or not _seconds():
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        bump(topic)
        return
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Bump):
            callback.topics.add(topic)
            return
    callback = _Bump()
    callback.topics.add(topic)
    transaction.on_commit(callback, using=using, robust=True)


def _on_write(sender, using=None, **kwargs):
    changed(sender, using)


def _on_relations(sender, using=None, **kwargs):
    # sender is the through model; the pages follow the model it joins.
    changed(kwargs["model"], using)
    changed(kwargs["instance"].__class__, using)


signals.post_save.connect(_on_write, dispatch_uid="pagecache.post_save")
signals.post_delete.connect(_on_write, dispatch_uid="pagecache.post_delete")
signals.m2m_changed.connect(_on_relations, dispatch_uid="pagecache.m2m_changed")
