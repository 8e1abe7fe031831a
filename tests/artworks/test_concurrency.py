"""One resident pressing "submit" on several phones at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from artworks import services
from artworks.models import Artwork
from tests.artworks.conftest import jpeg
from tests.factories import CallFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; runs in CI's PostgreSQL pass",
    ),
]


def test_the_per_phone_limit_holds_when_works_arrive_together(stored_files):
    call = CallFactory(max_works_per_phone=3)
    start = threading.Barrier(6)
    outcomes = []

    def send(n):
        try:
            start.wait()
            outcomes.append(
                services.submit(
                    call=call,
                    title=f"作品{n}",
                    artist_name="王小明",
                    category="photography",
                    image=jpeg(),
                    phone="+8613800138000",
                )
            )
        except ValidationError as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(isinstance(o, Artwork) for o in outcomes) == 3
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 3
    assert Artwork.objects.count() == 3
    assert len(stored_files()) == 6  # refused works left no file
