"""Figures as residents read them."""

from dataclasses import dataclass

from django.utils.translation import gettext


def plant_count(count, is_floor=False):
    """'1000余株' / '1000+ plants'; a 余 figure is a floor."""
    if is_floor:
        return gettext("{count}+ plants").format(count=count)
    return gettext("{count} plants").format(count=count)


@dataclass(frozen=True)
class Plants:
    """
    A number of plants and whether it is a floor: "1000余株" is Plants(1000,
    True). A total is a floor when any figure it adds up is one. Prints as
    residents read it, in the active language.
    """

    count: int = 0
    is_floor: bool = False

    def __str__(self):
        return plant_count(self.count, self.is_floor)
