"""An artwork's two pictures, drawn by the site's one checked path."""

from dataclasses import dataclass

from tongyun.lib import images
from tongyun.lib.images import Rendition

DISPLAY_SIZE = 1600  # longest side of the public display image
THUMB_SIZE = 480  # longest side of the gallery thumbnail


@dataclass(frozen=True)
class PreparedImage:
    display: Rendition
    thumbnail: Rendition


def check(upload):
    """
    Refuse (ValidationError) a picture that can be refused without decoding
    it (tongyun.lib.images.check): cheap, for the request; prepare() may
    still find it damaged later.
    """
    images.check(upload, DISPLAY_SIZE)


def prepare(upload):
    """
    Check an uploaded picture and return its display image and thumbnail as
    clean JPEGs (tongyun.lib.images.renditions, which raises ValidationError
    on a refusal). Slow for a large picture: the worker calls it
    (services.make_renditions), outside any transaction.
    """
    display, thumbnail = images.renditions(
        upload, [(DISPLAY_SIZE, 85), (THUMB_SIZE, 80)]
    )
    return PreparedImage(display=display, thumbnail=thumbnail)
