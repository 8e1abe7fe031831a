"""Where files that must not be served by their name live."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


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
