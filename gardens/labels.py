"""
What the printed QR labels of zones and species say (tongyun.lib.labels
draws them). Staff print them from the admin's lists of zones and species;
each label's QR code holds the page's stable public address (DESIGN §4).

A zone's label names the species planned there (zone.species): which were
planted is the plantings app's to know, a layer above this one.
"""

from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext, pgettext

from tongyun.lib.labels import Label, render_sheet

from .models import MONTHS, Theme

# The accent colours of static/css/site.css (--peony, --redbud, …).
ACCENTS = {
    Theme.PEONY: "#b0124a",
    Theme.REDBUD: "#8e2f7a",
    Theme.ROSE: "#b02a63",
    Theme.LILAC: "#6a4a9c",
    Theme.LEAF: "#2e6b34",
}


def accent(theme):
    """A theme's accent colour, "#rrggbb"; leaf green for an unknown one."""
    return ACCENTS.get(theme, ACCENTS[Theme.LEAF])


def absolute_url(obj):
    """obj's public page as a phone reaches it from a printed code."""
    return settings.SITE_URL + obj.get_absolute_url()


def listed(names):
    """names joined as the active language lists them: 牡丹、芍药."""
    return pgettext("list separator", ", ").join(names)


def bloom_caption(months):
    """
    Twelve booleans in words of the active language: "Blooms April to May"
    for one run of months (a run may wrap the year), "Blooms in April,
    September–October" for several, "" for none.
    """
    runs = _runs(months)
    if not runs:
        return ""
    names = [
        str(MONTH_NAMES[start])
        if start == end
        else f"{MONTH_NAMES[start]}–{MONTH_NAMES[end]}"
        for start, end in runs
    ]
    first_start, first_end = runs[0]
    if len(runs) == 1 and first_start != first_end:
        return gettext("Blooms {start} to {end}").format(
            start=MONTH_NAMES[first_start], end=MONTH_NAMES[first_end]
        )
    return gettext("Blooms in {month}").format(month=listed(names))


def _runs(months):
    """The (first, last) months (1–12) of each run of True, wrapping the year."""
    on = [month for month in MONTHS if months[month - 1]]
    if not on:
        return []
    if len(on) == 12:
        return [(1, 12)]
    # Start counting after a month that is off, so a run over New Year is one.
    first_off = next(month for month in MONTHS if not months[month - 1])
    order = [(first_off + step - 1) % 12 + 1 for step in range(1, 13)]
    runs, start, previous = [], None, None
    for month in order:
        if months[month - 1] and start is None:
            start = month
        if not months[month - 1] and start is not None:
            runs.append((start, previous))
            start = None
        previous = month
    if start is not None:
        runs.append((start, previous))
    return runs


def zone_label(zone):
    """
    A zone's label: garden and code over its name, the species planned
    there and when they bloom. No query with for_labels().
    """
    species = sorted(zone.species.all(), key=lambda s: (s.bloom_start_month, s.name))
    months = tuple(any(s.blooms_in(month) for s in species) for month in MONTHS)
    return Label(
        kicker=zone.garden.name,
        badge=zone.code,
        title=zone.name,
        lines=(listed(s.name for s in species),) if species else (),
        bloom=months if species else None,
        bloom_caption=bloom_caption(months),
        url=absolute_url(zone),
        accent=accent(zone.garden.theme),
        scan_caption=gettext("Scan for more"),
    )


def species_label(species):
    """
    A species' label: the gardens it grows in over its Chinese name, its
    Latin and English names, and its bloom months. No query with
    for_labels().
    """
    return Label(
        kicker=listed(garden.name for garden in species.garden_list()),
        title=species.name,
        subtitle=species.latin_name,
        lines=(species.name_en,) if species.name_en else (),
        bloom=tuple(on for _month, on in species.bloom_months),
        bloom_caption=species.bloom_window_display(),
        url=absolute_url(species),
        accent=accent(species.theme),
        scan_caption=gettext("Scan for more"),
    )


def zone_sheet(zones):
    """
    PDF bytes: a label for each zone of zones (a for_labels() queryset or
    its rows), in the site's language, which the residents read whatever
    language the staff member who prints uses.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return render_sheet(
            [zone_label(zone) for zone in zones],
            heading=_heading(gettext("Zone labels")),
        )


def species_sheet(species):
    """PDF bytes: a label for each of species, as zone_sheet()."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_sheet(
            [species_label(one) for one in species],
            heading=_heading(gettext("Plant labels")),
        )


def _heading(kind):
    return f"{gettext('Tongyun Garden City')} · {kind}"
