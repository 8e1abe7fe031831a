"""One resident pressing "submit" on several phones at once."""

import pytest
from django.core.exceptions import ValidationError

from artworks import services
from artworks.models import Artwork
from tests.artworks.conftest import jpeg
from tests.factories import CallFactory
from tests.threads import postgres_only, run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgres_only,
]


def test_the_per_phone_limit_holds_when_works_arrive_together(stored_files):
    call = CallFactory(max_works_per_phone=3)

    def send(n):
        return lambda: services.submit(
            call=call,
            title=f"作品{n}",
            artist_name="王小明",
            category="photography",
            image=jpeg(),
            phone="+8613800138000",
        )

    outcomes = run_together([send(n) for n in range(6)])

    assert sum(isinstance(o, Artwork) for o in outcomes) == 3
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 3
    assert Artwork.objects.count() == 3
    assert len(stored_files()) == 6  # refused works left no file
