"""Where files that must not be served by their name live."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.functional import cached_property

# How long caches may keep a picture anyone may see, and how a private one
# is sent: to its viewer only, never kept.
PUBLIC_CACHE = "public, max-age=86400"
PRIVATE_CACHE = "private, no-store"


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


def jpeg_response(stored, *, filename, cache_control):
    """
    The stored JPEG (a FieldFile of private storage) as a response that
    the browser shows, with cache_control; a 404 when there is no file,
    or it is gone. The caller decides first who may see it.
    """
    if not stored:
        raise Http404
    try:
        file = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type="image/jpeg", filename=filename)
    response["Cache-Control"] = cache_control
    return response
