"""
What the gardens app knows about its own data, as figures for the
dashboard (tongyun.dashboard): each garden's zones by state.
"""

from django.db.models import Count, Q, Sum

from .models import Garden, Zone

STATES = Zone.State


def zone_states():
    """
    Every garden, in its listed order, annotated with zone_count, area_m2,
    and for each Zone.State a count and an area (idle_count, idle_m2,
    designed_count, …, planted_m2). One query.
    """
    per_state = {}
    for state in STATES:
        here = Q(zones__state=state)
        per_state[f"{state}_count"] = Count("zones", filter=here)
        per_state[f"{state}_m2"] = Sum("zones__area_m2", filter=here, default=0)
    return Garden.objects.annotate(
        zone_count=Count("zones"), area_m2=Sum("zones__area_m2", default=0), **per_state
    ).order_by("position", "name")
