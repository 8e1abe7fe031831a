"""
Where uploads live: local folders by default, S3-compatible buckets when
the S3_* settings are set (tongyun.settings); and how private ones are sent.
"""

import contextlib
import logging
import os
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.functional import LazyObject, cached_property
from django.views.static import serve
from storages.backends.s3 import S3Storage

# How long caches may keep a picture anyone may see, and how a private one
# is sent: to its viewer only, never kept.
PUBLIC_CACHE = "public, max-age=86400"
PRIVATE_CACHE = "private, no-store"

# What a storage raises when it cannot take or give a file: a full or
# read-only disk (OSError: ENOSPC, EACCES, EROFS), an unreachable or refusing
# bucket (botocore).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """
    A resident's picture could not be stored (STORAGE_ERRORS): nothing was
    saved, and the form may be sent again later. Views answer 503.
    """


def delete_quietly(storage, name):
    """
    Delete name from storage after a failed save; a storage that is down
    cannot, which is logged, not raised, so that the first error is the
    one the caller sees.
    """
    try:
        storage.delete(name)
    except STORAGE_ERRORS:
        logger.exception("Could not delete %s after a failed save", name)


@contextlib.contextmanager
def saved_whole(field_file):
    """
    Save field_file and its row in the block, or neither: on any failure,
    delete the file the block wrote (delete_quietly), and raise a storage
    error (STORAGE_ERRORS) as StorageUnavailable, anything else as it is.
    """
    try:
        yield
    except BaseException as error:
        if field_file.name:
            delete_quietly(field_file.storage, field_file.name)
        if isinstance(error, STORAGE_ERRORS):
            raise StorageUnavailable from error
        raise


class PrivateStorage(FileSystemStorage):
    """
    Pictures residents send (artworks, suggestions' photos), under
    PRIVATE_MEDIA_ROOT: no web server serves that folder, so a pending or
    rejected work cannot be fetched by its name. Each app's view serves
    what may be seen (artworks.views.image).
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def _save(self, name, content):
        # A disk that fills up mid-write leaves the part written so far
        # (FileSystemStorage does not remove it): remove it, or a file
        # without a row would stay. The name was free a moment ago
        # (get_available_name); a file there now is this attempt's.
        path = self.path(name)
        existed = os.path.lexists(path)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed and os.path.lexists(path):
                os.remove(path)
            raise


class PublicS3Storage(S3Storage):
    """Staff photos (gardens, zones, species): anyone may fetch their URL."""

    querystring_auth = False


class PrivateS3Storage(S3Storage):
    """
    Pictures residents send, in a bucket (or prefix) nobody may read
    without a signature: each app's view checks who may see a file, then
    sends a URL signed for S3_SIGNED_URL_SECONDS (jpeg_response).
    """

    serves_by_signed_url = True
    querystring_auth = True


class StorageAlias(LazyObject):
    """
    The storage configured under an alias of STORAGES, looked up on each
    use, for a FileField: Django calls a field's storage callable once, at
    import, so a field given storages[alias] would keep the backend of that
    moment even after STORAGES changes (django.test.signals resets the
    handler, not the fields). A LazyObject passes for the Storage it wraps.
    """

    def __init__(self, alias):
        self.__dict__["alias"] = alias
        super().__init__()

    @property
    def _wrapped(self):
        return storages[self.__dict__["alias"]]

    def _setup(self):
        pass


# Shown in place of a picture whose file is gone or cannot be read: a
# browser draws an image sent with an error status, so the page keeps its
# layout with a plain grey frame instead of a broken-image icon. No text:
# it reads the same in every language. nginx sends the same file for a
# picture it cannot find (deploy/nginx/tongyun.conf, error_page).
MISSING_PICTURE = (settings.BASE_DIR / "static/img/picture-missing.svg").read_bytes()


def missing_picture(*, status):
    """MISSING_PICTURE with status (404 gone, 503 unreadable), never kept."""
    response = HttpResponse(
        MISSING_PICTURE, content_type="image/svg+xml", status=status
    )
    response["Cache-Control"] = PRIVATE_CACHE
    if status == 503:
        response["Retry-After"] = "60"
    return response


def serve_media(request, path):
    """
    The file at path under MEDIA_ROOT, for a site without nginx
    (SERVE_MEDIA); a file that is gone answers the placeholder with 404,
    as nginx does (deploy/nginx/tongyun.conf).
    """
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except Http404:
        return missing_picture(status=404)


def jpeg_response(stored, *, filename, cache_control):
    """
    The stored JPEG (a FieldFile of private storage) as a response that
    the browser shows, with cache_control; a 404 when there is no file.
    A file that is gone answers the placeholder (missing_picture) with
    404, one that storage cannot read with 503, never a 500. The caller
    decides first who may see it.

    On local disk behind nginx (PRIVATE_MEDIA_ACCEL_REDIRECT set): an
    empty 200 whose X-Accel-Redirect names the file under that prefix;
    nginx sends the file from its internal location, keeping this answer's
    Content-Type, Content-Disposition and Cache-Control, and answers 404
    itself for a file that is gone. The file is not opened here.

    From a bucket: a redirect (302) to a URL signed for a minute or so,
    so that the picture never passes through Python; caches keep a public
    picture's redirect for half that, nobody a private one's. The bucket
    answers 404 for a file that is gone; no request is made to it here.
    """
    if not stored:
        raise Http404
    if getattr(stored.storage, "serves_by_signed_url", False):
        url = stored.storage.url(
            stored.name,
            parameters={
                "ResponseContentType": "image/jpeg",
                "ResponseContentDisposition": f'inline; filename="{filename}"',
            },
        )
        response = HttpResponseRedirect(url)
        # A public picture's redirect may be kept for half the URL's life,
        # so that whoever follows a kept one still finds the URL valid.
        response["Cache-Control"] = (
            f"public, max-age={stored.storage.querystring_expire // 2}"
            if cache_control == PUBLIC_CACHE
            else PRIVATE_CACHE
        )
        return response
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if prefix and isinstance(stored.storage, PrivateStorage):
        response = HttpResponse(content_type="image/jpeg")
        response["X-Accel-Redirect"] = prefix + quote(stored.name)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Cache-Control"] = cache_control
        return response
    try:
        file = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        return missing_picture(status=404)
    except OSError:
        logger.exception("Could not open %s", stored.name)
        return missing_picture(status=503)
    response = FileResponse(file, content_type="image/jpeg", filename=filename)
    response["Cache-Control"] = cache_control
    return response
