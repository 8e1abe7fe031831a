import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from artworks.models import Artwork
from tests.servers import (  # noqa: F401 (fixtures of the tests that run the site)
    prepared_site,
    site,
)


def jpeg(name="peony.jpg", size=(800, 600), color=(176, 18, 74)):
    """A real JPEG upload drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def private_files():
    """
    Names of the files in private artwork storage, under "artworks/": the
    renditions by name, the pictures as sent as "originals/<name>".
    """
    storage = Artwork._meta.get_field("image").storage
    if not storage.exists("artworks"):
        return []
    folders, names = storage.listdir("artworks")
    if "originals" in folders:
        originals = storage.listdir("artworks/originals")[1]
        names += [f"originals/{name}" for name in originals]
    return sorted(names)


@pytest.fixture
def stored_files():
    """Names of the files in private artwork storage (private_files), as a
    callable."""
    return private_files
