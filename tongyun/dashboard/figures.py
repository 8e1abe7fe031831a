"""
The dashboard's figures, each from the query function of the app that owns
it, and what they mean: the definitions the page and the workbook print.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from artworks import queries as artworks
from events import queries as events
from feedback import queries as feedback
from feedback.models import RESPONSE_DAYS
from gardens import queries as gardens
from gardens.access import communities_of
from gardens.models import Zone
from plantings import queries as ledger

# The zone states in the order the dashboard shows them.
ZONE_STATES = [Zone.State.PLANTED, Zone.State.DESIGNED, Zone.State.IDLE]


@dataclass
class Dashboard:
    """Every figure of the dashboard, as the apps' query functions give them."""

    at: object
    rounds: list
    given: object
    donor_count: int
    planted: object
    lost: int
    surviving: object
    donors: list
    no_donation: dict
    gardens: list
    zones: list
    events: list
    organisations: list
    works: list
    suggestions: object

    @property
    def latest_index(self):
        """The newest round with an index, or None."""
        found = [r for r in self.rounds if r.index is not None]
        return found[-1] if found else None

    @property
    def has_demo_rounds(self):
        return any(r.round.is_demo for r in self.rounds)

    @property
    def participants(self):
        return sum(totals.participants for _event, totals in self.events)

    @property
    def hours(self):
        return sum((totals.hours for _event, totals in self.events), Decimal(0))

    @property
    def works_on_show(self):
        return sum(approved + featured for _v, _l, approved, featured in self.works)


def figures(now=None):
    """
    The dashboard's figures at now (default: this moment). Six queries,
    whatever the data: the survey rounds (1); the suggestions (1); gardens
    with their zones by state and their plants (1), whose rows add up to
    all planted and lost; donors with their gifts (1), which add up to all
    given; attendance by event and organisation (1); works by category (1).
    """
    now = now or timezone.now()
    by_garden = list(ledger.by_garden(gardens.zone_states()))
    donors = list(ledger.by_donor())
    planted, lost = ledger.totals_of(by_garden)
    given, donor_count = ledger.given_of(donors)
    by_event, by_organisation = events.attendance()
    return Dashboard(
        at=now,
        rounds=feedback.survey_index(),
        given=given,
        donor_count=donor_count,
        planted=planted,
        lost=lost,
        surviving=ledger.surviving(planted, lost),
        donors=donors,
        no_donation=ledger.from_no_donation(by_garden),
        gardens=by_garden,
        zones=by_garden,
        events=by_event,
        organisations=by_organisation,
        works=artworks.exhibited_by_category(),
        suggestions=feedback.suggestion_figures(now),
    )


def may_download(user):
    """
    Whether user may download the workbook: staff who reach every community
    (street office, viewers; gardens.access). The figures are the whole
    district's, not split by community, so community staff may not; they
    read the public page like everyone. The admin site checks the login.
    """
    return communities_of(user) is None


def response_definition():
    return gettext(
        "Suggestions first answered within {days} days of being sent, of those "
        "answered or sent at least {days} days ago."
    ).format(days=RESPONSE_DAYS)


def resolution_definition():
    return gettext("Suggestions done, of those closed (done or declined).")


def satisfaction_definition():
    return gettext(
        "Answers rated satisfied or basically satisfied by the resident who made "
        "the suggestion, of those rated."
    )
