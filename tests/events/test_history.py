"""
Who changed which event or sign-up, and how: staff in the admin, volunteers
on the public pages, commands; personal data masked, and purged with the
sign-ups.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Signup
from tests.events.test_admin import action_post, event_post
from tests.events.test_views import sign_up
from tests.factories import (
    EventFactory,
    GardenFactory,
    SignupFactory,
    event_under_way,
    reach_every_community,
)

pytestmark = pytest.mark.django_db

PHONE = "+8613800138000"
SIGNUP_HISTORY = reverse("admin:events_historicalsignup_changelist")
EVENT_HISTORY = reverse("admin:events_historicalevent_changelist")


def staff(django_user_model, username, *codenames):
    """A logged-in client of a staff member holding the events permissions
    codenames."""
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="events", codename__in=codenames
        )
    )
    reach_every_community(user)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def desk(django_user_model):
    """Staff who run events, without the permission to see phones."""
    return staff(
        django_user_model,
        "desk",
        "view_event",
        "change_event",
        "view_signup",
        "change_signup",
    )


@pytest.fixture
def office(django_user_model):
    """Street-office staff: they read every change, phones masked."""
    return staff(
        django_user_model,
        "office",
        "view_historicalsignup",
        "view_historicalevent",
    )


def records(obj):
    """obj's history, oldest first, as (kind, staff member, reason)."""
    return [
        (r.history_type, r.history_user, r.history_change_reason)
        for r in obj.history.order_by("history_date", "history_id")
    ]


def past_event():
    now = timezone.now()
    starts = now - dt.timedelta(days=100)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        signup_opens_at=starts - dt.timedelta(days=20),
        signup_closes_at=starts - dt.timedelta(days=1),
    )


# --- What is recorded ---------------------------------------------------------


def test_event_changed_in_the_admin_records_the_staff_member(desk):
    client, user = desk
    peony, redbud = GardenFactory(name="牡丹园"), GardenFactory(name="紫荆园")
    # Whole seconds, as the form posts them back.
    opens = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    event = EventFactory(
        title="植树日", capacity=20, gardens=[peony], signup_opens_at=opens
    )

    client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(
            event, title="首都全民义务植树日", capacity="30", gardens=[redbud.pk]
        ),
    )

    shown = history_page(client, event).context["page_obj"][0].history_changes
    assert records(event)[1:] == [("~", user, None)]
    assert [(old, new) for _field, old, new in shown] == [
        ("20", "30"),
        ("植树日", "首都全民义务植树日"),
        ("牡丹园", "紫荆园"),
    ]


def gardens_recorded(event):
    """The gardens each record of event holds, oldest first."""
    return [
        [row.garden for row in record.gardens.all()]
        for record in event.history.order_by("history_id")
    ]


def test_gardens_changed_from_the_garden_side_are_recorded_on_the_event():
    garden = GardenFactory()
    event = EventFactory()

    garden.events.add(event)
    garden.events.clear()

    assert gardens_recorded(event) == [[], [garden], []]


def test_gardens_changed_after_a_save_rolled_back_get_a_record_of_their_own():
    garden = GardenFactory()
    event = EventFactory()

    @transaction.atomic
    def failed_request():
        event.save()
        raise RuntimeError("the request failed after the save")

    with pytest.raises(RuntimeError):
        failed_request()
    event.gardens.add(garden)

    assert gardens_recorded(event) == [[], [garden]]


def test_public_signup_records_no_staff_member_even_one_logged_in(desk):
    client, _user = desk
    event = EventFactory(capacity=5)

    sign_up(client, event)

    signup = Signup.objects.get()
    assert records(signup) == [("+", None, services.SIGNED_UP)]


def test_cancelling_on_the_ticket_page_records_the_promotion_too(client):
    event = EventFactory(capacity=1)
    leaving = SignupFactory(event=event)
    waiting = SignupFactory(event=event, status="waitlisted")

    client.post(reverse("events:cancel", args=[leaving.token]), {"confirm": "yes"})

    assert records(leaving)[1:] == [("~", None, services.CANCELLED)]
    assert records(waiting)[1:] == [("~", None, services.PROMOTED)]
    assert waiting.history.first().status == "confirmed"


def test_cancelling_in_the_admin_records_the_staff_member(desk):
    client, user = desk
    event = EventFactory(capacity=1)
    leaving = SignupFactory(event=event)
    waiting = SignupFactory(event=event, status="waitlisted")

    client.post(
        reverse("admin:events_signup_changelist"),
        action_post("cancel_signups", [leaving]),
    )

    assert records(leaving)[1:] == [("~", user, None)]
    assert records(waiting)[1:] == [("~", user, services.PROMOTED)]


def test_taking_free_seats_on_the_ticket_page_is_recorded(client):
    event = EventFactory(capacity=3)
    SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=3, status="waitlisted")

    client.post(reverse("events:take_seats", args=[waiting.token]), {"headcount": 1})

    latest = waiting.history.first()
    assert records(waiting)[1:] == [("~", None, services.TOOK_FREE_SEATS)]
    assert (latest.status, latest.headcount) == ("confirmed", 1)


def test_check_ins_written_by_update_are_recorded(desk):
    client, user = desk
    event = event_under_way()
    scanned, marked = SignupFactory(event=event), SignupFactory(event=event)

    client.post(scanned.get_checkin_url())
    client.post(
        reverse("admin:events_signup_changelist"),
        action_post("mark_attended", [marked]),
    )

    for signup in (scanned, marked):
        signup.refresh_from_db()
        latest = signup.history.first()
        assert records(signup)[1:] == [("~", user, None)]
        assert latest.checked_in_at == signup.checked_in_at is not None


def test_reminder_is_recorded_with_its_reason():
    tomorrow = timezone.now() + dt.timedelta(days=1)
    event = EventFactory(starts_at=tomorrow, signup_closes_at=tomorrow)
    signup = SignupFactory(event=event)

    services.send_reminders()

    assert records(signup)[1:] == [("~", None, services.REMINDED)]
    assert signup.history.first().reminder_sent_at is not None


def test_the_ticket_token_is_never_copied_into_the_history():
    signup = SignupFactory()

    assert "token" not in {f.name for f in Signup.history.model._meta.fields}
    assert signup.history.count() == 1


# --- The purge ------------------------------------------------------------------


def test_purge_erases_personal_data_from_the_history(client):
    event = past_event()
    volunteer = SignupFactory(
        event=event, name="王小明", phone=PHONE, email="wang@example.org"
    )
    volunteer.headcount = 2
    volunteer.save()
    with_no_phone = SignupFactory(event=event, name="李华", phone="")
    recent = SignupFactory(name="赵六", phone="+8613900139000")
    out = io.StringIO()

    call_command("purge_personal_data", stdout=out)

    held = Signup.history.filter(event=event).values_list("name", "phone", "email")
    assert sorted(set(held)) == [("李*", "", ""), ("王*", "", "")]
    assert records(volunteer)[-1] == ("~", None, services.PURGED)
    assert records(with_no_phone)[-1] == ("~", None, services.PURGED)
    assert recent.history.get().name == "赵六"
    # Three records erased: the volunteer's two, the other's one.
    assert out.getvalue().splitlines()[0] == (
        "Sign-ups of events that ended more than 90 days ago: erased personal "
        "data of 2 sign-ups and of 3 records in their history."
    )


def test_purge_again_erases_nothing():
    SignupFactory(event=past_event())
    services.purge_personal_data()

    again = services.purge_personal_data()

    assert (again.signups, again.history) == (0, 0)


# --- An object's history page ------------------------------------------------------


def history_page(client, obj):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    return client.get(url)


def test_signup_history_page_lists_changes_with_phones_masked(desk):
    client, user = desk
    signup = SignupFactory(phone="+8613800138000")
    signup._history_user = user
    signup.phone = "+8613900139000"
    signup.save()

    response = history_page(client, signup)

    page = response.content.decode()
    latest = response.context["page_obj"][0]
    assert latest.history_user == user
    assert [(old, new) for _field, old, new in latest.history_changes] == [
        ("138****8000", "139****9000")
    ]
    assert "138****8000" in page
    assert "13800138000" not in page
    assert "138 0013 8000" not in page


def test_signup_history_page_shows_phones_to_who_may_see_them(django_user_model):
    client, _user = staff(
        django_user_model, "trusted", "view_signup", "view_personal_data"
    )
    signup = SignupFactory(phone="+8613800138000")
    signup.phone = "+8613900139000"
    signup.save()

    response = history_page(client, signup)

    (_field, old, new), *_ = response.context["page_obj"][0].history_changes
    assert (old, new) == ("138 0013 8000", "139 0013 9000")


def test_history_page_needs_the_permission_to_view_the_object(django_user_model):
    client, _user = staff(django_user_model, "stranger", "view_event")
    signup = SignupFactory()

    response = history_page(client, signup)

    assert response.status_code == 403


def test_history_page_asks_the_admin_whether_this_object_may_be_viewed(
    desk, monkeypatch
):
    """As a community-aware has_view_permission(request, obj) would refuse."""
    client, _user = desk
    mine, theirs = SignupFactory(), SignupFactory()
    monkeypatch.setattr(
        "events.admin.SignupAdmin.has_view_permission",
        lambda self, request, obj=None: obj is None or obj.pk == mine.pk,
    )
    monkeypatch.setattr(
        "events.admin.SignupAdmin.has_change_permission",
        lambda self, request, obj=None: False,
    )

    response = history_page(client, theirs)

    assert response.status_code == 403
    assert history_page(client, mine).context["object"] == mine


def test_history_page_of_an_object_the_queryset_hides_is_not_found(desk, monkeypatch):
    """As a community-scoped get_queryset() would hide it: never shown from
    its history instead."""
    client, _user = desk
    mine, theirs = SignupFactory(), SignupFactory()
    monkeypatch.setattr(
        "events.admin.SignupAdmin.get_queryset",
        lambda self, request: Signup.objects.filter(pk=mine.pk),
    )

    response = history_page(client, theirs)

    assert response.status_code == 404
    assert history_page(client, mine).context["object"] == mine


def test_past_versions_never_open_as_forms(admin_client):
    signup = SignupFactory()
    record = signup.history.get()

    response = admin_client.get(
        reverse(
            "admin:events_signup_simple_history", args=[signup.pk, record.history_id]
        )
    )

    assert response.status_code == 404


# --- The lists of every change --------------------------------------------------------


def test_history_list_is_only_for_holders_of_its_permission(desk):
    client, _user = desk

    response = client.get(SIGNUP_HISTORY)

    assert response.status_code == 403


def test_history_list_filters_by_staff_member(office, django_user_model):
    client, _office_user = office
    alice = django_user_model.objects.create_user("alice", is_staff=True)
    bob = django_user_model.objects.create_user("bob", is_staff=True)
    by_alice, by_bob = SignupFactory(name="甲"), SignupFactory(name="乙")
    for signup, user in ((by_alice, alice), (by_bob, bob)):
        signup._history_user = user
        signup.headcount = 2
        signup.save()

    response = client.get(SIGNUP_HISTORY, {"history_user__id__exact": alice.pk})
    nobody = client.get(SIGNUP_HISTORY, {"history_user__isnull": "True"})

    shown = response.context["cl"].result_list
    assert [(r.id, r.history_type) for r in shown] == [(by_alice.pk, "~")]
    assert {r.id for r in nobody.context["cl"].result_list} == {by_alice.pk, by_bob.pk}


def test_history_list_filters_by_date(office):
    client, _user = office
    old, new = SignupFactory(), SignupFactory()
    old.history.update(history_date=dt.datetime(2024, 4, 7, 9, tzinfo=dt.UTC))

    response = client.get(
        SIGNUP_HISTORY,
        {"history_date__year": "2024", "history_date__month": "4"},
    )

    assert [r.id for r in response.context["cl"].result_list] == [old.pk]
    assert new.history.exists()


def test_history_list_shows_who_what_and_why_with_phones_masked(office):
    client, _user = office
    event = EventFactory(capacity=5)
    sign_up(Client(), event, name="王小明", phone="138 0013 8000")
    signup = Signup.objects.get()
    signup.phone = "+8613900139000"
    signup.save()

    response = client.get(SIGNUP_HISTORY)

    changed, created = response.context["cl"].result_list
    page = response.content.decode()
    assert [(old, new) for _field, old, new in changed.history_changes] == [
        ("138****8000", "139****9000")
    ]
    assert (changed.history_user, created.history_user) == (None, None)
    assert created.history_change_reason == services.SIGNED_UP
    assert "王小明 ×1" in page
    assert "13800138000" not in page
    assert "138 0013 8000" not in page


def test_history_list_is_read_only(office):
    client, _user = office
    signup = SignupFactory()
    record = signup.history.get()
    opts = Signup.history.model._meta

    response = client.get(SIGNUP_HISTORY)

    assert response.context["cl"].list_display_links is None
    assert not response.context["has_add_permission"]
    with pytest.raises(Exception, match="NoReverseMatch|Reverse"):
        reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[record.history_id],
        )


def test_history_lists_appear_in_their_apps_on_the_index(office):
    client, _user = office

    response = client.get(reverse("admin:index"))

    events = next(a for a in response.context["app_list"] if a["app_label"] == "events")
    assert {m["object_name"] for m in events["models"]} == {
        "HistoricalEvent",
        "HistoricalSignup",
    }


@pytest.mark.parametrize("item_count", [1, 3])
def test_history_list_query_count_is_constant(
    office, item_count, django_assert_num_queries
):
    client, _user = office
    for _ in range(item_count):
        signup = SignupFactory(event=EventFactory(gardens=[GardenFactory()]))
        signup.headcount = 2
        signup.save()
        Event.objects.get(pk=signup.event_id).save()

    # 10 queries: session, user, permissions (user's, groups'), staff
    # members for the filter, count, the records (with events, users and
    # the previous record's id), the previous records, the date hierarchy
    # (first and last day, days).
    with django_assert_num_queries(10):
        response = client.get(SIGNUP_HISTORY)

    assert len(response.context["cl"].result_list) == 2 * item_count
