"""
What the gardens app knows about its own data, as figures for the
dashboard (tongyun.dashboard): each garden's zones by state.
"""

from django.db.models import F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from tongyun.lib.queries import count_of

from .models import AREA, Garden, Zone

STATES = Zone.State


def zone_states():
    """
    Every garden, in its listed order, annotated with zone_count, area_m2,
    and for each Zone.State a count and an area (idle_count, idle_m2,
    designed_count, …, planted_m2). One query, each figure a correlated
    subquery (no GROUP BY), so that other apps may annotate the same rows.
    """
    zones = Zone.objects.filter(garden=OuterRef("pk"))
    per_state = {}
    for state in STATES:
        here = zones.filter(state=state)
        per_state[f"{state}_count"] = count_of(here)
        per_state[f"{state}_m2"] = _area_of(here)
    return Garden.objects.annotate(
        zone_count=count_of(zones), area_m2=_area_of(zones), **per_state
    ).order_by("position", "name")


def _area_of(zones):
    """A correlated subquery: the zones' area added up, 0 when none."""
    total = zones.order_by().annotate(total=Func(F("area_m2"), function="SUM"))
    area = Subquery(total.values("total"), output_field=AREA)
    return Coalesce(area, Value(0), output_field=AREA)
