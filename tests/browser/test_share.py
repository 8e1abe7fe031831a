import io

import pytest
import zxingcpp
from PIL import Image

from tests.factories import ArtworkFactory, EventFactory, GardenFactory

pytestmark = pytest.mark.django_db(transaction=True)

NARROW_PHONE = {"width": 360, "height": 780}


def opened_poster(page):
    """Press the share-poster button of the page; the picture it opens."""
    with page.expect_response(lambda r: r.url.endswith("/poster.png")) as answer:
        page.locator(".share-poster a.button").click()
    page.wait_for_load_state("load")
    return Image.open(io.BytesIO(answer.value.body()))


@pytest.mark.parametrize("kind", ["event", "artwork"])
def test_resident_opens_the_share_poster_and_its_code_opens_the_page(
    visitor, live_server, settings, kind
):
    settings.SITE_URL = live_server.url
    if kind == "event":
        garden = GardenFactory(name="牡丹园", theme="peony")
        shared = EventFactory(title="乡土植物进社区", gardens=[garden])
    else:
        shared = ArtworkFactory(title="国色天香")
    page = visitor.page
    page.set_viewport_size(NARROW_PHONE)

    visitor.visit(shared.get_absolute_url())
    poster = opened_poster(page)

    assert poster.size == (1080, 1440)
    codes = [code.text for code in zxingcpp.read_barcodes(poster)]
    assert codes == [live_server.url + shared.get_absolute_url()]
    # The browser shows the picture itself, ready to be pressed and saved.
    assert page.url.endswith("/poster.png")
    assert page.evaluate("document.images.length") == 1
