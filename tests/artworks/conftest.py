import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from artworks.models import Artwork


def jpeg(name="peony.jpg", size=(800, 600), color=(176, 18, 74)):
    """A real JPEG upload drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def stored_files():
    """Names of the files in private artwork storage, as a callable."""
    storage = Artwork._meta.get_field("image").storage

    def names():
        if not storage.exists("artworks"):
            return []
        return sorted(storage.listdir("artworks")[1])

    return names
