import io

import pytest
from django.core.management import call_command

from gardens.models import Community, Garden, Species, Zone

pytestmark = pytest.mark.django_db

MODELS = [
    Community,
    Garden,
    Zone,
    Species,
    Zone.species.through,
    Garden.signature_species.through,
]


def snapshot():
    """Every row of the demo's tables, as tuples."""
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in MODELS}


def test_load_demo_tells_the_three_gardens_story():
    call_command("load_demo", stdout=io.StringIO())

    gardens = {g.name: g for g in Garden.objects.select_related("community")}
    assert set(gardens) == {"牡丹园", "紫荆园", "月季园"}
    assert gardens["牡丹园"].community.name == "牡丹园社区"
    assert {s.name for s in gardens["牡丹园"].signature_species.all()} == {
        "牡丹",
        "芍药",
    }
    months = {
        s.name: (s.bloom_start_month, s.bloom_end_month) for s in Species.objects.all()
    }
    assert months == {
        "牡丹": (4, 5),
        "芍药": (5, 5),
        "紫荆": (4, 4),
        "月季": (5, 10),
        "紫丁香": (4, 5),
    }
    assert all(
        g.zones.exclude(state=Zone.State.IDLE).exists() for g in gardens.values()
    )


def test_load_demo_twice_leaves_the_same_rows():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == first
