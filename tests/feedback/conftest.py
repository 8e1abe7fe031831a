import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from feedback.models import Suggestion


def jpeg(name="photo.jpg", size=(2400, 1800), color=(60, 120, 60), exif=None):
    """A real JPEG upload drawn with Pillow, with EXIF when given."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(buffer, "JPEG", **({"exif": exif} if exif else {}))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image():
    return SimpleUploadedFile("photo.jpg", b"not a picture at all", "image/jpeg")


@pytest.fixture
def stored_photos():
    """Names of the files in suggestions' private storage, as a callable."""
    storage = Suggestion._meta.get_field("photo").storage

    def names():
        if not storage.exists("suggestions"):
            return []
        return sorted(storage.listdir("suggestions")[1])

    return names
