"""Test settings: plain static storage, a fast password hasher, plain http."""

from tongyun.settings import *  # noqa: F403 (the test settings extend all of them)

STORAGES = {
    **STORAGES,  # noqa: F405 (defined by the star import above)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# DEBUG is off in tests, which would turn the admin's second step on: the
# suite's admin tests log in with force_login and test what the admin does,
# not how one gets in. tests/tongyun/test_two_factor.py turns it on. The
# lock-out (axes) stays on; a test that logs in with client.login() must
# pass request=HttpRequest(), as axes checks every authentication's request.
ADMIN_REQUIRE_2FA = False
# Each test's own cache in memory, emptied before it (tests/conftest.py),
# whatever CACHE_URL says: the tests that need a cache shared between
# processes (tests/tongyun/test_limits_shared.py) start processes with their
# own.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
    },
}
# The page cache off: a test that renders a page, changes rows inside its
# transaction (which never commits, so bumps nothing) and renders again
# must see the change. tests/tongyun/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
# Tests see the app as reached directly unless they say otherwise.
TRUSTED_PROXY_COUNT = 0
# Tests talk plain http (the test client, the live server, gunicorn started
# by a test), as local mode does: no redirect to HTTPS, cookies over http,
# whatever the .env says. HSTS stays on, for requests made with secure=True.
# What production gets is checked on tongyun.settings themselves, in a
# subprocess (tests/tongyun/test_deploy.py).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 31536000
# Tasks run at once, inside the request that enqueues them, so a test sees
# their effects; tests of the queue itself swap in the dummy backend or a
# real worker (tests/events/test_tasks.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
