"""Test settings: plain static storage and a fast password hasher."""

from tongyun.settings import *  # noqa: F403 (the test settings extend all of them)

STORAGES = {
    **STORAGES,  # noqa: F405 (defined by the star import above)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
