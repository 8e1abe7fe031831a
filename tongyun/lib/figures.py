"""Figures as residents read them."""

from django.utils.translation import gettext


def plant_count(count, is_floor=False):
    """'1000余株' / '1000+ plants'; a 余 figure is a floor."""
    if is_floor:
        return gettext("{count}+ plants").format(count=count)
    return gettext("{count} plants").format(count=count)
