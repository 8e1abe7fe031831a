"""The demo's call for peony works, with drawn works in every category."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from artworks.models import Artwork, Call, Category

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", stdout=io.StringIO())


def test_load_demo_opens_the_peony_call():
    load_demo()

    call = Call.objects.select_related("species").get(slug="peony-art-2024")
    assert (call.title, call.organiser) == (
        "牡丹元素书画与摄影作品征集",
        "牡丹园社区党群服务站",
    )
    assert call.title_en == "Peony paintings, calligraphy and photographs"
    assert call.species.slug == "mudan"
    assert call.category_values == ["painting", "calligraphy", "photography"]
    assert call.opens_at.date().isoformat() == "2024-04-08"
    assert call.is_open()


def test_load_demo_shows_public_works_in_every_category():
    load_demo()

    works = Artwork.objects.filter(call__slug="peony-art-2024")
    assert set(works.values_list("category", flat=True)) == set(Category.values)
    assert all(work.is_public for work in works)
    assert works.filter(status=Artwork.Status.FEATURED).exists()
    assert works.filter(class_name="牡丹园社区绘画培训班").exists()


def test_load_demo_stores_two_jpegs_of_each_work_at_their_recorded_sizes():
    load_demo()

    for work in Artwork.objects.all():
        for field, size in [
            (work.image, (work.image_width, work.image_height)),
            (work.thumbnail, (work.thumbnail_width, work.thumbnail_height)),
        ]:
            with field.storage.open(field.name) as f, Image.open(f) as image:
                assert (image.format, image.size) == ("JPEG", size)
        assert work.image.name != work.thumbnail.name


def test_load_demo_twice_adds_no_works_and_no_files(stored_files):
    load_demo()
    works = list(Artwork.objects.order_by("pk").values_list())
    calls = list(Call.objects.order_by("pk").values_list())
    files = stored_files()

    load_demo()

    assert list(Artwork.objects.order_by("pk").values_list()) == works
    assert list(Call.objects.order_by("pk").values_list()) == calls
    assert stored_files() == files
