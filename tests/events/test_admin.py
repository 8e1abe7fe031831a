"""Staff run planting days in the admin; seats, phones and exports stay right."""

import datetime as dt
import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.messages.constants import SUCCESS, WARNING
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Signup
from tests.factories import (
    EventFactory,
    GardenFactory,
    OrganisationFactory,
    SignupFactory,
    event_under_way,
    reach_every_community,
)
from tongyun.models import ExportRecord

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
SIGNUPS = reverse("admin:events_signup_changelist")
FORMULAE = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)"]


def staff_client(django_user_model, *, personal_data):
    """A client logged in as staff who run events, with or without the
    permission to see personal data."""
    user = django_user_model.objects.create_user(
        "trusted" if personal_data else "clerk", is_staff=True
    )
    perms = Permission.objects.filter(content_type__app_label="events")
    if not personal_data:
        perms = perms.exclude(codename="view_personal_data")
    user.user_permissions.set(perms)
    reach_every_community(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk_client(django_user_model):
    """Staff without events.view_personal_data."""
    return staff_client(django_user_model, personal_data=False)


@pytest.fixture
def trusted_client(django_user_model):
    """Staff (not superusers) granted events.view_personal_data."""
    return staff_client(django_user_model, personal_data=True)


@pytest.fixture
def notified(monkeypatch):
    """The sign-ups told they moved up, as notify.promoted receives them."""
    told = []
    monkeypatch.setattr("events.notify.promoted", told.append)
    return told


def checkin_list(client, event, **params):
    return client.get(SIGNUPS, {"event__id__exact": event.pk, **params})


def event_post(event, **changes):
    """The change form of event as the admin renders it, with changes."""

    def split(prefix, value):
        local = timezone.localtime(value)
        return {
            f"{prefix}_0": f"{local:%Y-%m-%d}",
            f"{prefix}_1": f"{local:%H:%M:%S}",
        }

    data = {
        "title": event.title,
        "title_en": event.title_en,
        "slug": event.slug,
        "kind": event.kind,
        "status": event.status,
        "gardens": [g.pk for g in event.gardens.all()] if event.pk else [],
        "meeting_point": event.meeting_point,
        "meeting_point_en": "",
        "capacity": str(event.capacity),
        "description": "",
        "description_en": "",
        "seedling_goal": "",
    }
    for field in ["starts_at", "ends_at", "signup_opens_at", "signup_closes_at"]:
        data |= split(field, getattr(event, field))
    return data | changes


def group_post(event, organisation, headcount, phone=""):
    return {
        "event": event.pk,
        "organisation": organisation.pk,
        "name": "王队长",
        "headcount": str(headcount),
        "phone": phone,
    }


def action_post(action, signups):
    return {
        "action": action,
        "index": "0",
        "select_across": "0",
        "_selected_action": [s.pk for s in signups],
    }


def export(client, event, file_format):
    """Download the check-in list of event; file_format "0" is CSV, "1" XLSX."""
    url = reverse("admin:events_signup_export") + f"?event__id__exact={event.pk}"
    return client.post(url, {"format": file_format, "resource": "0"})


# --- Events -----------------------------------------------------------------


def test_event_list_shows_seats_and_counts(admin_client):
    event = EventFactory(capacity=20)
    SignupFactory(event=event, headcount=3)
    SignupFactory(event=event, headcount=2, checked_in_at=timezone.now())
    SignupFactory(event=event, headcount=4, status=WAITLISTED)
    SignupFactory(event=event, headcount=5, status=CANCELLED)

    response = admin_client.get(reverse("admin:events_event_changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.seats_taken, row.waiting_count, row.signup_count) == (5, 4, 3)
    assert row.checked_in_count == 2
    html = response.content.decode()
    assert '<td class="field-seats">5 / 20</td>' in html
    assert f'href="{SIGNUPS}?event__id__exact={event.pk}"' in html


@pytest.mark.parametrize("item_count", [1, 3])
def test_event_list_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    for _event in range(item_count):
        SignupFactory.create_batch(2, event=EventFactory(gardens=[GardenFactory()]))

    # 8 queries: session, user, the gardens filter's gardens, count, total
    # count, events with their seats and counts (one subquery, one join), the
    # date hierarchy's first and last day, its days.
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("admin:events_event_changelist"))

    assert len(response.context["cl"].result_list) == item_count


def test_event_change_page_links_to_its_checkin_list(admin_client):
    event = EventFactory()

    response = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert f'href="{SIGNUPS}?event__id__exact={event.pk}"' in response.content.decode()


def test_staff_add_an_event(admin_client):
    event = EventFactory.build(title="护绿日", slug="care-day-2030")
    data = event_post(event) | {"gardens": [GardenFactory().pk]}

    response = admin_client.post(reverse("admin:events_event_add"), data)

    assert response.status_code == 302
    assert Event.objects.get().slug == "care-day-2030"


def test_raising_capacity_promotes_the_waiting_list(
    admin_client, notified, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2, gardens=[GardenFactory()])
    SignupFactory(event=event, headcount=2)
    first = SignupFactory(event=event, headcount=2, status=WAITLISTED)
    second = SignupFactory(event=event, headcount=1, status=WAITLISTED)
    third = SignupFactory(event=event, headcount=2, status=WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:events_event_change", args=[event.pk]),
            event_post(event, capacity="5"),
        )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 5
    statuses = [Signup.objects.get(pk=s.pk).status for s in (first, second, third)]
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert [s.pk for s in notified] == [first.pk, second.pk]
    assert services.seats_taken(event) == 5


def test_raising_capacity_of_a_cancelled_event_promotes_nobody(admin_client, notified):
    event = EventFactory(capacity=2, status="cancelled", gardens=[GardenFactory()])
    waiting = SignupFactory(event=event, headcount=2, status=WAITLISTED)

    admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, capacity="10"),
    )

    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED
    assert notified == []


def test_lowering_capacity_below_confirmed_is_a_form_error(admin_client):
    event = EventFactory(capacity=10, gardens=[GardenFactory()])
    SignupFactory(event=event, headcount=3)

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, capacity="2"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["capacity"]] == ["below_confirmed"]
    event.refresh_from_db()
    assert event.capacity == 10


def test_lowering_capacity_to_the_confirmed_headcount_is_allowed(admin_client):
    event = EventFactory(capacity=10, gardens=[GardenFactory()])
    SignupFactory(event=event, headcount=3)

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, capacity="3"),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 3


def test_event_ending_before_it_starts_is_a_form_error(admin_client):
    event = EventFactory(gardens=[GardenFactory()])
    data = event_post(event)
    data["ends_at_0"], data["ends_at_1"] = data["starts_at_0"], data["starts_at_1"]

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]), data
    )

    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["ends_at"]] == ["ends_early"]
    assert "__all__" not in errors  # no second, generic constraint message
    # In Chinese, beside its field, with what was typed kept; nothing saved.
    [error] = response.context["adminform"].form.errors["ends_at"]
    assert error == "结束时间必须晚于开始时间。"
    assert error in response.content.decode()
    assert f'value="{data["title"]}"' in response.content.decode()
    assert Event.objects.get().ends_at == event.ends_at


def test_signup_closing_after_the_event_is_a_form_error(admin_client):
    event = EventFactory(gardens=[GardenFactory()])
    data = event_post(event)
    closes = timezone.localtime(event.ends_at + dt.timedelta(hours=1))
    data["signup_closes_at_0"] = f"{closes:%Y-%m-%d}"
    data["signup_closes_at_1"] = f"{closes:%H:%M:%S}"

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]), data
    )

    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["signup_closes_at"]] == ["closes_late"]
    assert "__all__" not in errors


def test_capacity_refused_at_save_time_keeps_the_form_and_saves_nothing(
    admin_client, monkeypatch
):
    """A sign-up confirmed between the form's check and the event's lock."""
    event = EventFactory(capacity=10, title="原标题", gardens=[GardenFactory()])
    SignupFactory(event=event, headcount=3)
    lock_event = services.lock_event

    def lock_after_a_late_sign_up(event_id):
        SignupFactory(event_id=event_id, headcount=2)
        return lock_event(event_id)

    monkeypatch.setattr(services, "lock_event", lock_after_a_late_sign_up)

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, capacity="4", title="新标题"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["capacity"]] == ["below_confirmed"]
    page = response.content.decode()
    assert 'value="4"' in page
    assert 'value="新标题"' in page
    event.refresh_from_db()
    assert (event.capacity, event.title) == (10, "原标题")
    assert services.seats_taken(event) == 3  # the late sign-up rolled back too


def test_changing_a_busy_event_says_so_and_saves_nothing(admin_client, monkeypatch):
    event = EventFactory(capacity=10, gardens=[GardenFactory()])

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, capacity="30"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["__all__"]] == ["busy"]
    assert 'value="30"' in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 10


def test_signup_closing_before_it_opens_is_a_form_error(admin_client):
    event = EventFactory(gardens=[GardenFactory()])
    data = event_post(event)
    data["signup_closes_at_0"] = data["signup_opens_at_0"]
    data["signup_closes_at_1"] = data["signup_opens_at_1"]

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]), data
    )

    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["signup_closes_at"]] == ["closes_early"]
    assert "__all__" not in errors
    assert Event.objects.get(pk=event.pk).signup_closes_at == event.signup_closes_at


# --- The check-in list ------------------------------------------------------


def test_checkin_search_finds_the_last_four_digits(admin_client):
    event = EventFactory()
    zhang = SignupFactory(event=event, name="张三", phone="+8613800001234")
    SignupFactory(event=event, name="李四", phone="+8613900005678")
    SignupFactory(phone="+8613700001234")  # same digits, another event

    response = checkin_list(admin_client, event, q="1234")

    assert list(response.context["cl"].result_list) == [zhang]


def test_checkin_search_finds_a_name(admin_client):
    event = EventFactory()
    SignupFactory(event=event, name="张三")
    li = SignupFactory(event=event, name="李四")

    response = checkin_list(admin_client, event, q="李四")

    assert list(response.context["cl"].result_list) == [li]


def test_checkin_search_by_whole_number_needs_the_permission(
    clerk_client, trusted_client
):
    event = EventFactory()
    zhang = SignupFactory(event=event, phone="+8613800001234")

    hidden = checkin_list(clerk_client, event, q="138 0000 1234")
    found = checkin_list(trusted_client, event, q="138 0000 1234")

    assert list(hidden.context["cl"].result_list) == []
    assert list(found.context["cl"].result_list) == [zhang]


def test_checkin_list_filters_by_checked_in(admin_client):
    event = EventFactory()
    arrived = SignupFactory(event=event, checked_in_at=timezone.now())
    SignupFactory(event=event)

    response = checkin_list(admin_client, event, checked_in="yes")

    assert list(response.context["cl"].result_list) == [arrived]


def test_checkin_list_names_its_event_and_seats(admin_client):
    event = EventFactory(capacity=20)
    SignupFactory(event=event, headcount=3)

    response = checkin_list(admin_client, event)

    assert response.context["checkin_event"] == event
    assert response.context["checkin_event"].seats_taken == 3
    assert event.title in response.context["title"]


@pytest.mark.parametrize("item_count", [1, 3])
def test_checkin_list_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    event = EventFactory()
    organisation = OrganisationFactory()
    SignupFactory.create_batch(item_count, event=event, organisation=organisation)

    # 7 queries: session, user, the event and its figures (title), the event
    # filter's events, count, total count, sign-ups with event and
    # organisation (the hours column's forms reuse them).
    with django_assert_num_queries(7):
        response = checkin_list(admin_client, event)

    assert len(response.context["cl"].result_list) == item_count


def test_mark_attended_on_another_day_asks_for_confirmation_first(admin_client):
    signup = SignupFactory()  # its event is in ten days

    asked = admin_client.post(SIGNUPS, action_post("mark_attended", [signup]))
    signup.refresh_from_db()
    checked_in_before = signup.checked_in_at
    confirmed = admin_client.post(
        SIGNUPS, action_post("mark_attended", [signup]) | {"confirm_day": "yes"}
    )

    signup.refresh_from_db()
    assert asked.status_code == 200
    assert list(asked.context["events"]) == [signup.event]
    assert checked_in_before is None
    assert confirmed.status_code == 302
    assert signup.checked_in_at is not None


def test_mark_attended_checks_in_confirmed_signups(admin_client):
    event = event_under_way()
    earlier = timezone.now() - dt.timedelta(hours=1)
    arriving = SignupFactory(event=event)
    arrived = SignupFactory(event=event, checked_in_at=earlier)
    waiting = SignupFactory(event=event, status=WAITLISTED)

    response = admin_client.post(
        SIGNUPS, action_post("mark_attended", [arriving, arrived, waiting])
    )

    assert response.status_code == 302
    arriving.refresh_from_db()
    arrived.refresh_from_db()
    waiting.refresh_from_db()
    assert arriving.checked_in_at is not None
    assert arrived.checked_in_at == earlier
    assert waiting.checked_in_at is None
    levels = [m.level for m in get_messages(response.wsgi_request)]
    assert levels == [SUCCESS, WARNING]  # 1 marked, 2 left as they were


def test_volunteer_hours_are_editable_in_the_list(admin_client):
    event = EventFactory()
    signup = SignupFactory(event=event)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(signup.pk),
        "form-0-hours": "2.5",
        "_save": "Save",
    }

    response = admin_client.post(f"{SIGNUPS}?event__id__exact={event.pk}", data)

    assert response.status_code == 302
    signup.refresh_from_db()
    assert str(signup.hours) == "2.5"


def test_cancel_action_promotes_the_waiting_list(
    admin_client, notified, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=3)
    leaving = SignupFactory(event=event, headcount=3)
    first = SignupFactory(event=event, headcount=2, status=WAITLISTED)
    second = SignupFactory(event=event, headcount=1, status=WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(SIGNUPS, action_post("cancel_signups", [leaving]))

    leaving.refresh_from_db()
    assert leaving.status == CANCELLED
    assert leaving.cancelled_at is not None
    assert [Signup.objects.get(pk=s.pk).status for s in (first, second)] == [
        CONFIRMED,
        CONFIRMED,
    ]
    assert [s.pk for s in notified] == [first.pk, second.pk]


def test_a_signup_can_be_cancelled_from_its_page(
    admin_client, notified, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    leaving = SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=2, status=WAITLISTED)
    url = reverse("admin:events_signup_change", args=[leaving.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {"CHANGE_FORM-action": "cancel_signups", "_selected_action": leaving.pk},
        )

    assert response.status_code == 302
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert (leaving.status, waiting.status) == (CANCELLED, CONFIRMED)
    assert notified == [waiting]


def test_cancel_action_leaves_checked_in_and_started_signups_and_says_why(
    admin_client,
):
    coming = EventFactory(capacity=3)
    leaving = SignupFactory(event=coming)
    arrived = SignupFactory(event=coming, checked_in_at=timezone.now())
    under_way = event_under_way(capacity=1)
    started = SignupFactory(event=under_way)
    waiting = SignupFactory(event=under_way, status=WAITLISTED)

    response = admin_client.post(
        SIGNUPS,
        action_post("cancel_signups", [leaving, arrived, started]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    statuses = [
        Signup.objects.get(pk=s.pk).status for s in (leaving, arrived, started, waiting)
    ]
    assert statuses == [CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert [(m.level, m.message) for m in get_messages(response.wsgi_request)] == [
        (SUCCESS, "1 sign-up cancelled."),
        (WARNING, "1 sign-up left as it was: checked in already."),
        (WARNING, "1 sign-up left as it was: its event has started."),
    ]


def test_cancel_action_on_only_refused_signups_says_only_why(admin_client):
    arrived = SignupFactory(checked_in_at=timezone.now())

    response = admin_client.post(SIGNUPS, action_post("cancel_signups", [arrived]))

    arrived.refresh_from_db()
    assert arrived.status == CONFIRMED
    assert [m.level for m in get_messages(response.wsgi_request)] == [WARNING]


def test_signups_cannot_be_deleted_only_cancelled(admin_client):
    signup = SignupFactory()

    response = admin_client.get(SIGNUPS)
    delete = admin_client.post(
        reverse("admin:events_signup_delete", args=[signup.pk]), {"post": "yes"}
    )

    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert "cancel_signups" in actions
    assert delete.status_code == 403
    assert Signup.objects.filter(pk=signup.pk).exists()


# --- Group bookings ---------------------------------------------------------


def test_group_booking_within_the_seats_left_is_made_by_the_service(admin_client):
    event = EventFactory(capacity=20)
    SignupFactory(event=event, headcount=5)
    organisation = OrganisationFactory(name="区委网信办")

    response = admin_client.post(
        reverse("admin:events_signup_add"),
        group_post(event, organisation, 15, phone="139 0000 1111"),
    )

    assert response.status_code == 302
    group = Signup.objects.get(organisation=organisation)
    assert (group.is_group, group.status, group.headcount) == (True, CONFIRMED, 15)
    assert (group.name, group.phone) == ("王队长", "+8613900001111")
    assert services.seats_taken(event) == 20
    assert Signup.objects.filter(event=event).count() == 2


def test_group_larger_than_the_seats_left_is_a_form_error(admin_client):
    event = EventFactory(capacity=20)
    SignupFactory(event=event, headcount=15)
    organisation = OrganisationFactory()

    response = admin_client.post(
        reverse("admin:events_signup_add"), group_post(event, organisation, 6)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["headcount"]] == ["group_too_big"]
    assert "5" in errors["headcount"][0].message  # the seats left
    assert 'value="6"' in response.content.decode()  # what staff typed stays
    assert not Signup.objects.filter(organisation=organisation).exists()


def test_group_booking_on_a_busy_event_is_a_form_error(admin_client, monkeypatch):
    event = EventFactory()
    organisation = OrganisationFactory()

    def busy(event_id):
        raise services.Busy

    monkeypatch.setattr(services, "lock_event", busy)

    response = admin_client.post(
        reverse("admin:events_signup_add"), group_post(event, organisation, 3)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["__all__"]] == ["busy"]
    assert not Signup.objects.filter(organisation=organisation).exists()


def test_group_booking_with_a_phone_already_signed_up_is_a_form_error(
    admin_client,
):
    event = EventFactory()
    SignupFactory(event=event, phone="+8613900001111")
    organisation = OrganisationFactory()

    response = admin_client.post(
        reverse("admin:events_signup_add"),
        group_post(event, organisation, 3, phone="13900001111"),
    )

    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["phone"]] == ["phone_taken"]
    assert not Signup.objects.filter(organisation=organisation).exists()


def test_group_booking_returns_to_the_checkin_list_it_came_from(admin_client):
    event = EventFactory()
    organisation = OrganisationFactory()
    filters = f"event__id__exact={event.pk}"

    response = admin_client.post(
        reverse("admin:events_signup_add") + f"?_changelist_filters={filters}",
        group_post(event, organisation, 4),
    )

    group = Signup.objects.get(organisation=organisation)
    assert response["Location"] == f"{SIGNUPS}?{filters}"
    assert [m.level for m in get_messages(response.wsgi_request)] == [SUCCESS]
    assert (group.is_group, group.headcount) == (True, 4)


def test_refused_group_booking_keeps_what_staff_typed(admin_client):
    event = EventFactory()
    SignupFactory(event=event, phone="+8613900001111")
    organisation = OrganisationFactory()

    response = admin_client.post(
        reverse("admin:events_signup_add"),
        group_post(event, organisation, 3, phone="13900001111"),
    )

    page = response.content.decode()
    assert response.context["title"] == "添加团体报名"
    assert 'value="王队长"' in page
    assert 'value="13900001111"' in page
    assert f'<option value="{organisation.pk}" selected>' in page
    assert Signup.objects.filter(event=event).count() == 1


def test_group_booking_form_starts_with_the_checkin_lists_event(admin_client):
    event = EventFactory()

    response = admin_client.get(
        reverse("admin:events_signup_add"),
        {"_changelist_filters": f"event__id__exact={event.pk}"},
    )

    assert response.context["adminform"].form.initial["event"] == str(event.pk)


def test_changing_a_signup_leaves_its_seats_alone(admin_client):
    signup = SignupFactory(name="张三", headcount=2)
    data = {
        "name": "张三丰",
        "organisation": "",
        "phone": signup.phone,
        "email": "",
        "language": "zh-hans",
        "checked_in_at_0": "",
        "checked_in_at_1": "",
        "hours": "",
        "headcount": "5",
        "status": CANCELLED,
    }

    response = admin_client.post(
        reverse("admin:events_signup_change", args=[signup.pk]), data
    )

    assert response.status_code == 302
    signup.refresh_from_db()
    assert (signup.name, signup.headcount, signup.status) == ("张三丰", 2, CONFIRMED)


# --- Phones -----------------------------------------------------------------


def test_staff_without_the_permission_see_masked_phones(clerk_client):
    signup = SignupFactory(phone="+8613800138000", email="zhang@example.com")

    listing = checkin_list(clerk_client, signup.event).content.decode()
    change = clerk_client.get(
        reverse("admin:events_signup_change", args=[signup.pk])
    ).content.decode()

    for html in (listing, change):
        assert "138****8000" in html
        assert "00138000" not in html
        assert "0013 8000" not in html
    assert 'name="phone"' not in change
    assert "zhang@example.com" not in change


@pytest.mark.parametrize("who", ["admin_client", "trusted_client"])
def test_staff_with_the_permission_see_full_phones(request, who):
    client = request.getfixturevalue(who)
    signup = SignupFactory(phone="+8613800138000")

    listing = checkin_list(client, signup.event).content.decode()
    change = client.get(
        reverse("admin:events_signup_change", args=[signup.pk])
    ).content.decode()

    assert "138\N{NO-BREAK SPACE}0013\N{NO-BREAK SPACE}8000" in listing
    assert "138****8000" not in listing
    assert 'value="+8613800138000"' in change


# --- Exports ----------------------------------------------------------------


@pytest.fixture
def export_event():
    """An event with a checked-in group and volunteers named like formulae."""
    event = EventFactory(
        title="植树日",
        starts_at=dt.datetime(2024, 4, 7, 9, 0, tzinfo=BEIJING),
        ends_at=dt.datetime(2024, 4, 7, 12, 0, tzinfo=BEIJING),
        signup_opens_at=dt.datetime(2024, 3, 1, tzinfo=BEIJING),
        signup_closes_at=dt.datetime(2024, 4, 6, tzinfo=BEIJING),
    )
    SignupFactory(
        event=event,
        name="张三",
        phone="+8613800138000",
        headcount=2,
        organisation=OrganisationFactory(name="区政府办"),
        created_at=dt.datetime(2024, 4, 1, 2, 30, tzinfo=dt.UTC),
        checked_in_at=dt.datetime(2024, 4, 7, 0, 55, tzinfo=dt.UTC),
    )
    for name in FORMULAE:
        SignupFactory(event=event, name=name)
    return event


def test_export_csv_has_the_columns_and_escapes_formulae(admin_client, export_event):
    response = export(admin_client, export_event, "0")

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    data = tablib.Dataset().load(text.removeprefix("\ufeff"), format="csv")
    assert len(data.headers) == 9
    assert list(data[0]) == [
        "植树日",
        "张三",
        "138 0013 8000",
        "2",
        "区政府办",
        str(Signup.Status.CONFIRMED.label),
        "2024-04-01 10:30",
        "2024-04-07 08:55",
        "3.0",
    ]
    assert [row[1] for row in data[1:]] == [f"'{name}" for name in FORMULAE]
    assert [row[8] for row in data[1:]] == [""] * 4  # not checked in: no hours
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="signups-{export_event.slug}-'
    )


def test_export_xlsx_has_the_columns_and_escapes_formulae(admin_client, export_event):
    response = export(admin_client, export_event, "1")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [cell.value for cell in rows[0]] == [
        "植树日",
        "张三",
        "138 0013 8000",
        2,
        "区政府办",
        str(Signup.Status.CONFIRMED.label),
        dt.datetime(2024, 4, 1, 10, 30),
        dt.datetime(2024, 4, 7, 8, 55),
        3,
    ]
    names = [row[1] for row in rows[1:]]
    # The text as typed, in text cells: shown, never run, no apostrophe.
    assert [cell.value for cell in names] == list(FORMULAE)
    assert {cell.data_type for cell in names} == {"s"}
    assert rows[0][6].number_format == "yyyy-mm-dd hh:mm"


def test_export_is_refused_to_staff_without_the_personal_data_permission(
    clerk_client, export_event
):
    response = export(clerk_client, export_event, "0")
    page = clerk_client.get(SIGNUPS + f"?event__id__exact={export_event.pk}")

    assert response.status_code == 403
    assert "13800138000" not in response.content.decode()
    assert not ExportRecord.objects.exists()
    assert reverse("admin:events_signup_export") not in page.content.decode()


def test_export_of_personal_data_is_recorded(django_user_model, export_event):
    client = staff_client(django_user_model, personal_data=True)

    response = export(client, export_event, "1")

    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert record.user.username == "trusted"
    assert record.subject == export_event.title
    assert record.rows == export_event.signups.count() > 0
    assert record.file_format == "xlsx"
    assert f"event__id__exact={export_event.pk}" in record.filters


def test_staff_add_an_event_with_only_a_chinese_title(admin_client):
    event = EventFactory.build(title="护绿日", title_en="", slug="")
    data = event_post(event) | {"gardens": [GardenFactory().pk]}

    response = admin_client.post(reverse("admin:events_event_add"), data)

    assert response.status_code == 302
    saved = Event.objects.get()
    day = timezone.localdate(saved.starts_at)
    assert saved.slug == f"{day:%Y-%m-%d}-hulvri"


def test_event_form_leaves_the_slug_editable_and_not_prefilled(admin_client):
    response = admin_client.get(reverse("admin:events_event_add"))

    form = response.context["adminform"].form
    assert not form.fields["slug"].required
    assert list(response.context["adminform"].prepopulated_fields) == []


def test_export_page_names_the_event_and_leads_back_to_its_checkin_list(
    admin_client,
):
    event = EventFactory(title="乡土植物进社区")
    url = reverse("admin:events_signup_export") + f"?event__id__exact={event.pk}"

    response = admin_client.get(url)

    html = response.content.decode()
    assert "乡土植物进社区" in response.context["title"]
    assert f"<h1>{response.context['title']}</h1>" in html
    breadcrumbs = html.split('class="breadcrumbs"')[1].split("</div>")[0]
    assert f'href="{SIGNUPS}?event__id__exact={event.pk}"' in breadcrumbs


def test_event_form_takes_the_organisers_phone(admin_client):
    event = EventFactory(gardens=[GardenFactory()])

    response = admin_client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_post(event, organiser_phone="010-6954 1234"),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.organiser_phone == "010-6954 1234"
