"""The admin's index opens on what waits for staff."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ArtworkFactory,
    CallFactory,
    DonationFactory,
    EventFactory,
    SignupFactory,
    SuggestionFactory,
    event_under_way,
)

pytestmark = pytest.mark.django_db


def test_index_shows_the_work_queue_with_links(admin_client):
    ArtworkFactory.create_batch(2, call=CallFactory(), status="pending")
    ArtworkFactory(status="approved")
    full = EventFactory(capacity=1)
    SignupFactory(event=full, headcount=1)
    SignupFactory(event=full, headcount=2, status="waitlisted")
    today = event_under_way()
    SuggestionFactory(submitted_at=timezone.now() - dt.timedelta(days=10))
    SuggestionFactory()
    SuggestionFactory(status="accepted")

    response = admin_client.get(reverse("admin:index"))

    queue = response.context["work_queue"]
    assert queue["works_waiting"] == 2
    assert queue["works_url"].endswith("?status__exact=pending")
    assert (queue["suggestions_waiting"], queue["suggestions_overdue"]) == (2, 1)
    assert queue["suggestions_url"].endswith("?status__exact=new")
    assert [(e, e.waiting_count) for e, _url in queue["waiting_lists"]] == [(full, 2)]
    assert [e for e, _url in queue["todays_events"]] == [today]
    html = response.content.decode()
    checkin = (
        reverse("admin:events_signup_changelist") + f"?event__id__exact={today.pk}"
    )
    assert f'href="{checkin}"' in html
    assert html.index('id="work-queue"') < html.index('class="app-list"')


@pytest.mark.parametrize("item_count", [1, 3])
def test_index_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    for _ in range(item_count):
        ArtworkFactory(status="pending")
        event = event_under_way(capacity=1)
        SignupFactory(event=event)
        SignupFactory(event=event, status="waitlisted")
        SuggestionFactory()

    # 7 queries: session, user, works waiting, suggestions waiting (and
    # overdue), events with waiting lists (with figures), today's events
    # (with figures), recent actions.
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("admin:index"))

    queue = response.context["work_queue"]
    assert queue["works_waiting"] == item_count
    assert queue["suggestions_waiting"] == item_count
    assert len(queue["waiting_lists"]) == item_count
    assert len(queue["todays_events"]) == item_count


def test_admin_strings_django_leaves_untranslated_read_in_chinese(admin_client):
    """Django 6.1's zh_Hans catalogue lacks these; ours fills them in."""
    DonationFactory()  # a list with rows shows its actions and dates

    html = admin_client.get(reverse("admin:plantings_donation_changelist")).content

    text = html.decode()
    assert "- 请选择 -" in text
    assert "Select an option" not in text
    assert "按接收日期筛选" in text
    assert "Filter by" not in text
