"""Figures as residents read them. None of these filters queries."""

from django import template

from tongyun.lib.figures import plant_count

register = template.Library()


@register.filter
def plants(count, is_floor=False):
    """{{ donation.quantity|plants:donation.is_floor }} → 1000余株."""
    return plant_count(count or 0, is_floor)
