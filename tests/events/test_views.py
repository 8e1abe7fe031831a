import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import segno
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.forms import SignupForm
from events.models import Event, Signup
from events.views import (
    PAST_PER_PAGE,
    UPCOMING_PER_PAGE,
    public_events,
    render_detail,
)
from tests.factories import (
    EventFactory,
    GardenFactory,
    OrganisationFactory,
    PlantingFactory,
    SignupFactory,
    SpeciesFactory,
    ZoneFactory,
    event_under_way,
    reach_every_community,
)
from tongyun.lib.figures import Plants

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def html(response):
    return response.content.decode()


class _ClassCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.classes = set()

    def handle_starttag(self, tag, attrs):
        self.classes.update((dict(attrs).get("class") or "").split())


def classes(response):
    """Every class named on an element of the page, parsed, not searched for:
    a class cannot turn up by chance inside a token or a CSRF value."""
    parser = _ClassCollector()
    parser.feed(html(response))
    parser.close()
    return parser.classes


def past_event(days_ago=1, **kwargs):
    """A published event that was held days_ago, 09:00–12:00 Beijing time."""
    starts = timezone.now().astimezone(SHANGHAI).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) - dt.timedelta(days=days_ago)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        signup_opens_at=starts - dt.timedelta(days=20),
        signup_closes_at=starts - dt.timedelta(days=1),
        **kwargs,
    )


def sign_up(client, event, **fields):
    data = {"name": "李华", "phone": "138 0013 8000", "headcount": "1"}
    data |= {"consent": "on"} | fields
    return client.post(reverse("events:signup", args=[event.slug]), data)


def staff_user(username="alice"):
    user = User.objects.create_user(username, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_signup"))
    return reach_every_community(user)


# --- List ---------------------------------------------------------------


def test_event_list_shows_upcoming_event_with_date_gardens_and_seats(client):
    garden = GardenFactory(name="牡丹园", theme="peony")
    starts = dt.datetime(2031, 4, 6, 9, 0, tzinfo=SHANGHAI)
    event = EventFactory(
        title="乡土植物进社区",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=20,
        gardens=[garden],
    )
    SignupFactory(event=event, headcount=3)
    SignupFactory(event=event, headcount=4, status=Signup.Status.CANCELLED)

    response = client.get(reverse("events:list"))

    page = html(response)
    seats = page.split('class="seats-left"')[1].split("</p>")[0]
    assert "乡土植物进社区" in page
    assert event.get_absolute_url() in page
    assert "2031年4月6日 星期日" in page
    assert "09:00–12:00" in page
    assert f'class="chip theme-peony" href="{garden.get_absolute_url()}"' in page
    assert '<progress max="20" value="3"' in page
    assert re.findall(r"\d+", seats) == ["17", "20"]


def test_event_pages_date_an_early_event_by_beijing_time(client):
    starts = dt.datetime(2031, 4, 6, 7, 0, tzinfo=SHANGHAI)  # 23:00 UTC the day before
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    signup = SignupFactory(event=event)

    urls = [reverse("events:list"), event.get_absolute_url(), signup.get_absolute_url()]
    pages = [html(client.get(url)) for url in urls]

    assert all("2031年4月6日 星期日" in page for page in pages)
    assert not any("2031年4月5日" in page for page in pages)


def test_event_list_in_english_reads_english_titles_and_seats(english):
    starts = dt.datetime(2031, 4, 6, 9, 0, tzinfo=SHANGHAI)
    event = EventFactory(
        title="植树日",
        title_en="Planting day",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=5,
    )
    SignupFactory(event=event, headcount=4)

    response = english.get(reverse("events:list"))

    page = html(response)
    assert "Planting day" in page
    assert "植树日" not in page
    assert "Sunday, 6 April 2031" in page
    assert "1 of 5 seat left" in page


def test_event_list_puts_upcoming_first_then_past_newest_first(client):
    later = EventFactory(
        title="后来的活动", starts_at=timezone.now() + dt.timedelta(30)
    )
    sooner = EventFactory(title="快到的活动")
    older = past_event(days_ago=300, title="更早的活动")
    old = past_event(days_ago=2, title="前天的活动")

    response = client.get(reverse("events:list"))

    assert response.context["upcoming"] == [sooner, later]
    assert response.context["past"] == [old, older]
    page = html(response)
    assert (
        page.index("快到的活动") < page.index("后来的活动") < page.index("前天的活动")
    )
    assert page.index("前天的活动") < page.index("更早的活动")


def test_event_list_hides_drafts_and_marks_cancelled_events(client):
    EventFactory(title="草稿活动", status=Event.Status.DRAFT)
    EventFactory(title="取消的活动", status=Event.Status.CANCELLED)

    response = client.get(reverse("events:list"))

    page = html(response)
    assert "草稿活动" not in page
    assert "取消的活动" in page
    assert 'class="status-tag status-cancelled"' in page
    assert "<progress" not in page


def test_event_list_says_when_a_full_event_has_a_waiting_list(english):
    event = EventFactory(capacity=2)
    SignupFactory(event=event, headcount=2)

    response = english.get(reverse("events:list"))

    assert "Full — waiting list open" in html(response)
    assert '<progress max="2" value="2"' in html(response)


# --- Detail -------------------------------------------------------------


def test_event_detail_shows_what_when_where_and_the_form(client):
    garden = GardenFactory(name="紫荆园", theme="redbud")
    starts = dt.datetime(2031, 4, 6, 9, 0, tzinfo=SHANGHAI)
    event = EventFactory(
        title="春季补植",
        description="带上手套，我们一起种紫荆。",
        meeting_point="紫荆雅园北门",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=10,
        gardens=[garden],
    )
    SignupFactory(event=event, name="王秀英", phone="+8613900001111", headcount=2)

    response = client.get(event.get_absolute_url())

    page = html(response)
    assert "春季补植" in page
    assert "带上手套，我们一起种紫荆。" in page
    assert "紫荆雅园北门" in page
    assert "2031年4月6日 星期日" in page
    assert garden.get_absolute_url() in page
    assert 'class="theme-redbud"' in page
    assert '<progress max="10" value="2"' in page
    assert reverse("events:ics", args=[event.slug]) in page
    assert f'action="{reverse("events:signup", args=[event.slug])}#signup"' in page
    for name in ("name", "phone", "headcount", "organisation", "consent", "website"):
        assert f'name="{name}"' in page
    assert "王秀英" not in page
    assert "13900001111" not in page


def test_event_detail_in_english_falls_back_to_chinese_where_missing(english):
    event = EventFactory(
        title="植树日",
        title_en="Planting day",
        meeting_point="北门",
        description="说明",
    )

    response = english.get(event.get_absolute_url())

    page = html(response)
    assert "<h1>Planting day</h1>" in page
    assert "北门" in page
    assert "说明" in page
    assert "Your name" in page
    assert "deleted within 90 days" in page


def test_event_detail_of_a_draft_is_not_found(client):
    event = EventFactory(status=Event.Status.DRAFT)

    response = client.get(event.get_absolute_url())

    assert response.status_code == 404
    assert event.title not in html(response)


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({"signup_opens_at": timezone.now() + dt.timedelta(days=2)}, "not_yet"),
        ({"signup_closes_at": timezone.now() - dt.timedelta(hours=1)}, "closed"),
        ({"status": Event.Status.CANCELLED}, "cancelled"),
    ],
)
def test_event_detail_says_plainly_when_signup_is_not_open(client, changes, state):
    event = EventFactory(signup_opens_at=timezone.now() - dt.timedelta(days=3))
    Event.objects.filter(pk=event.pk).update(**changes)

    response = client.get(event.get_absolute_url())

    assert response.context["event"].signup_state() == state
    assert 'class="signup-form"' not in html(response)
    assert 'class="state-line"' in html(response)


def test_event_detail_of_a_full_event_offers_the_waiting_list(english):
    event = EventFactory(capacity=1)
    SignupFactory(event=event)

    response = english.get(event.get_absolute_url())

    assert response.context["event"].signup_state() == "waitlist"
    assert 'class="signup-form"' in html(response)
    assert "Join the waiting list" in html(response)


def test_past_event_shows_results_and_no_form(client):
    event = past_event()  # three hours long
    SignupFactory(event=event, headcount=2, checked_in_at=event.starts_at)
    SignupFactory(
        event=event, headcount=1, hours=Decimal("1.5"), checked_in_at=event.starts_at
    )
    SignupFactory(event=event, headcount=4, name="没来的人")  # never checked in
    SignupFactory(
        event=event, headcount=5, status="cancelled", checked_in_at=event.starts_at
    )
    peony = SpeciesFactory(name="牡丹", theme="peony")
    rose = SpeciesFactory(name="月季", theme="rose")
    zone = ZoneFactory(code="A1", garden__name="牡丹园")
    PlantingFactory(event=event, zone=zone, species=peony, quantity=10)
    PlantingFactory(event=event, species=peony, quantity=5)
    PlantingFactory(event=event, zone=zone, species=rose, quantity=20)
    PlantingFactory(zone=zone, species=rose, quantity=99)  # not at this event

    response = client.get(event.get_absolute_url())

    results = response.context["results"]
    assert (results["participants"], results["hours"]) == (3, Decimal("7.5"))
    assert [(s.name, s.planted) for s in results["species"]] == [
        ("月季", 20),
        ("牡丹", 15),
    ]
    assert results["planted"] == Plants(35)
    page = html(response)
    assert "<strong>3</strong>" in page
    assert "<strong>7.5</strong>" in page
    assert "35株" in page
    assert "牡丹 · 15株" in page
    assert "牡丹园 · A1" in page
    assert 'class="signup-form"' not in page
    assert "没来的人" not in page


def test_past_event_without_check_ins_shows_zero_results(client):
    event = past_event()

    response = client.get(event.get_absolute_url())

    results = response.context["results"]
    assert (results["participants"], results["hours"], results["planted"]) == (
        0,
        Decimal(0),
        Plants(0),
    )
    assert 'class="empty"' in html(response)


# --- Sign-up ------------------------------------------------------------


def test_signup_confirms_and_sends_the_volunteer_to_the_ticket(client):
    event = EventFactory(capacity=10)
    organisation = OrganisationFactory(name="区政府办")

    response = sign_up(
        client,
        event,
        name=" 李华 ",
        headcount="3",
        organisation="区政府办",
        email="lihua@example.org",
    )

    signup = Signup.objects.get()
    assert response.status_code == 303
    assert response["Location"] == signup.get_absolute_url()
    assert (signup.name, signup.phone, signup.headcount) == (
        "李华",
        "+8613800138000",
        3,
    )
    assert signup.status == Signup.Status.CONFIRMED
    assert signup.organisation == organisation
    assert (signup.email, signup.language) == ("lihua@example.org", "zh-hans")


def test_signup_in_english_keeps_the_language_for_messages(english):
    event = EventFactory()

    sign_up(english, event)

    assert Signup.objects.get().language == "en"


def test_signup_with_an_unknown_organisation_creates_none(client):
    event = EventFactory()
    OrganisationFactory(name="区委网信办", name_en="Cyberspace Office")

    sign_up(client, event, organisation="不存在的单位")
    sign_up(client, event, organisation="cyberspace office", phone="13900139000")

    first, second = Signup.objects.order_by("pk")
    assert first.organisation is None
    assert second.organisation.name == "区委网信办"
    assert list(event.signups.values_list("organisation__name", flat=True)) == [
        None,
        "区委网信办",
    ]


def test_signup_for_a_full_event_is_waitlisted_with_its_position(english):
    event = EventFactory(capacity=2)
    SignupFactory(event=event, headcount=2)
    SignupFactory(event=event, headcount=1, status=Signup.Status.WAITLISTED)

    response = sign_up(english, event, headcount="2")
    ticket = english.get(response["Location"])

    signup = Signup.objects.get(phone="+8613800138000")
    assert response["Location"] == signup.get_absolute_url()
    assert signup.status == Signup.Status.WAITLISTED
    assert ticket.context["position"] == 2
    assert "You are number 2 on the waiting list" in html(ticket)


def test_signup_url_answers_get_with_method_not_allowed(client):
    event = EventFactory()

    response = client.get(reverse("events:signup", args=[event.slug]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert Signup.objects.count() == 0


def test_signup_for_a_draft_event_is_not_found(client):
    event = EventFactory(status=Event.Status.DRAFT)

    response = sign_up(client, event)

    assert response.status_code == 404
    assert Signup.objects.count() == 0


# --- Ticket -------------------------------------------------------------


def test_ticket_of_unknown_token_is_not_found(client):
    signup = SignupFactory()

    response = client.get(reverse("events:ticket", args=["no-such-token"]))

    assert response.status_code == 404
    assert "error-page" in classes(response)
    assert not {"ticket", "qr"} & classes(response)
    assert signup.token not in html(response)


def test_ticket_shows_status_name_people_event_and_masked_phone(client):
    organisation = OrganisationFactory(name="区委编办")
    signup = SignupFactory(
        name="赵敏",
        phone="+8613800138000",
        headcount=3,
        organisation=organisation,
        event__meeting_point="月季园小区东门",
    )

    response = client.get(signup.get_absolute_url())

    page = html(response)
    assert response.context["signup"] == signup
    assert 'class="status-tag status-confirmed"' in page
    assert "赵敏" in page
    assert "<dd>3</dd>" in page
    assert "区委编办" in page
    assert "月季园小区东门" in page
    assert signup.event.get_absolute_url() in page
    assert "138****8000" in page
    assert "13800138000" not in page
    assert reverse("events:cancel", args=[signup.token]) in page


def test_ticket_qr_code_carries_the_check_in_address_not_the_ticket(client, settings):
    settings.SITE_URL = "https://garden.example.org"
    signup = SignupFactory()

    response = client.get(signup.get_absolute_url())

    def svg(path):
        return segno.make("https://garden.example.org" + path, error="m").svg_inline(
            scale=4, dark="#2b2522", light="#ffffff", omitsize=True
        )

    qr = re.search(r'<div class="qr"[^>]*>(.*?)</div>', html(response), re.S)
    assert signup.get_checkin_url() == f"/check-in/{signup.checkin_code}/"
    assert qr.group(1) == svg(signup.get_checkin_url())
    assert qr.group(1) != svg(signup.get_absolute_url())
    assert response.context["ticket_url"] == (
        "https://garden.example.org" + signup.get_absolute_url()
    )


def test_every_signup_gets_a_check_in_code_of_its_own():
    first, second = SignupFactory(), SignupFactory()

    codes = {first.checkin_code, second.checkin_code}

    assert len(codes) == 2
    assert not codes & {first.token, second.token}
    assert all(len(code) >= 32 for code in codes)


def test_ticket_is_kept_out_of_shared_caches(client):
    signup = SignupFactory()

    response = client.get(signup.get_absolute_url())

    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert response.context["signup"] == signup


def test_ticket_of_a_cancelled_signup_says_so_without_qr_or_cancel(client):
    signup = SignupFactory(status=Signup.Status.CANCELLED)

    response = client.get(signup.get_absolute_url())

    page = html(response)
    assert 'class="status-tag status-cancelled"' in page
    assert '<div class="qr"' not in page
    assert reverse("events:cancel", args=[signup.token]) not in page


# --- Cancel -------------------------------------------------------------


def test_cancel_first_asks_and_changes_nothing(client):
    signup = SignupFactory()

    response = client.post(reverse("events:cancel", args=[signup.token]))

    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED
    assert 'name="confirm" value="yes"' in html(response)
    assert signup.get_absolute_url() in html(response)


def test_cancel_confirmed_cancels_and_promotes_the_waiting_list(client):
    event = EventFactory(capacity=2)
    signup = SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=2, status=Signup.Status.WAITLISTED)

    response = client.post(
        reverse("events:cancel", args=[signup.token]), {"confirm": "yes"}
    )
    ticket = client.get(response["Location"])

    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == signup.get_absolute_url()
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_at is not None
    assert waiting.status == Signup.Status.CONFIRMED
    assert 'class="status-tag status-cancelled"' in html(ticket)


@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
def test_cancel_of_a_checked_in_signup_is_refused(client, confirm):
    event = event_under_way(capacity=2)
    holder = SignupFactory(event=event, headcount=2, checked_in_at=event.starts_at)
    waiting = SignupFactory(event=event, headcount=2, status=Signup.Status.WAITLISTED)
    before = holder.history.count()

    response = client.post(reverse("events:cancel", args=[holder.token]), confirm)

    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert response.status_code == 409
    assert response.context["error"] == holder.cancel_refusal().message
    assert holder.cancel_refusal().code == "checked_in"
    assert 'role="alert"' in html(response)
    assert (holder.status, holder.cancelled_at) == ("confirmed", None)
    assert waiting.status == "waitlisted"
    assert holder.history.count() == before
    assert "cancel-box" not in classes(response)


@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
def test_cancel_after_the_event_started_is_refused(client, confirm):
    event = event_under_way(capacity=2)
    holder = SignupFactory(event=event, headcount=2)
    waiting = SignupFactory(event=event, headcount=2, status=Signup.Status.WAITLISTED)

    response = client.post(reverse("events:cancel", args=[holder.token]), confirm)

    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert response.status_code == 409
    assert response.context["error"] == holder.cancel_refusal().message
    assert holder.cancel_refusal().code == "event_started"
    assert (holder.status, holder.cancelled_at) == ("confirmed", None)
    assert waiting.status == "waitlisted"


def test_cancel_refusal_speaks_the_visitors_language(english):
    event = event_under_way()
    signup = SignupFactory(event=event)

    response = english.post(
        reverse("events:cancel", args=[signup.token]), {"confirm": "yes"}
    )

    assert response.context["error"] == (
        "The event has started, so sign-ups can no longer be cancelled."
    )


def test_cancel_checked_in_between_question_and_answer_is_refused(client):
    """The ticket read before the check-in still offers to cancel; the
    service, under the event's lock, finds the check-in."""
    signup = SignupFactory()
    asked = client.post(reverse("events:cancel", args=[signup.token]))
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now())

    response = client.post(
        reverse("events:cancel", args=[signup.token]), {"confirm": "yes"}
    )

    signup.refresh_from_db()
    assert 'name="confirm" value="yes"' in html(asked)
    assert response.status_code == 409
    assert signup.status == "confirmed"


def test_ticket_offers_no_cancel_once_the_event_started(client):
    signup = SignupFactory(event=event_under_way())

    response = client.get(signup.get_absolute_url())

    assert response.context["can_cancel"] is False
    assert "cancel-box" not in classes(response)


def test_cancel_of_unknown_token_is_not_found(client):
    signup = SignupFactory()

    response = client.post(
        reverse("events:cancel", args=["no-such-token"]), {"confirm": "yes"}
    )

    signup.refresh_from_db()
    assert response.status_code == 404
    assert signup.status == Signup.Status.CONFIRMED


def test_cancel_answers_get_with_method_not_allowed(client):
    signup = SignupFactory()

    response = client.get(reverse("events:cancel", args=[signup.token]))

    signup.refresh_from_db()
    assert response.status_code == 405
    assert signup.status == Signup.Status.CONFIRMED


# --- Check-in -----------------------------------------------------------


def test_ticket_has_no_check_in_link_even_for_staff(client):
    """Staff check in through the QR code's page: the ticket, which can
    cancel, is the volunteer's alone."""
    signup = SignupFactory(event=event_under_way())
    client.force_login(staff_user())

    page = html(client.get(signup.get_absolute_url()))

    assert signup.checkin_code not in page
    assert "/check-in/" not in page


def test_check_in_page_shows_staff_the_volunteer_and_the_button(client):
    organisation = OrganisationFactory(name="区委编办")
    signup = SignupFactory(
        event=event_under_way(), name="赵敏", headcount=3, organisation=organisation
    )
    client.force_login(staff_user())

    response = client.get(signup.get_checkin_url())

    page = html(response)
    assert response.context["signup"] == signup
    assert "赵敏" in page
    assert "区委编办" in page
    assert f'action="{signup.get_checkin_url()}"' in page
    # Nothing on it opens the ticket or cancels the sign-up.
    assert signup.token not in page
    signup.refresh_from_db()
    assert signup.checked_in_at is None


def test_check_in_code_opens_no_ticket_cancels_nothing_and_gives_no_calendar(
    client, settings
):
    settings.SITE_URL = "https://garden.example.org"
    event = EventFactory(capacity=1)
    signup = SignupFactory(event=event)
    waiting = SignupFactory(event=event, status=Signup.Status.WAITLISTED)
    code = signup.checkin_code

    ticket = client.get(reverse("events:ticket", args=[code]))
    cancel = client.post(reverse("events:cancel", args=[code]), {"confirm": "yes"})
    take = client.post(reverse("events:take_seats", args=[code]), {"headcount": "1"})
    ics = client.get(reverse("events:ics", args=[event.slug]), {"ticket": code})

    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert (ticket.status_code, cancel.status_code, take.status_code) == (404,) * 3
    assert (signup.status, waiting.status) == ("confirmed", "waitlisted")
    assert signup.token not in ics.content.decode()
    vevent = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(vevent["URL"]) == "https://garden.example.org" + event.get_absolute_url()


def test_ticket_token_checks_nobody_in(client):
    signup = SignupFactory(event=event_under_way())
    client.force_login(staff_user())

    response = client.post(f"/check-in/{signup.token}/", {"confirm": "yes"})

    signup.refresh_from_db()
    assert response.status_code == 404
    assert signup.checked_in_at is None


def test_check_in_by_staff_records_the_time(client):
    signup = SignupFactory(headcount=2, event=event_under_way())
    client.force_login(staff_user())

    response = client.post(signup.get_checkin_url())
    page = client.get(response["Location"])

    signup.refresh_from_db()
    assert response["Location"] == signup.get_checkin_url()
    assert signup.checked_in_at is not None
    assert 'class="checked-in"' in html(page)
    assert "<form" not in html(page).split('class="checked-in"')[1]


@pytest.mark.parametrize("who", ["anonymous", "resident", "staff_without_permission"])
def test_check_in_by_others_changes_nothing(client, who):
    signup = SignupFactory(name="赵敏")
    if who == "resident":
        client.force_login(User.objects.create_user("charlie"))
    elif who == "staff_without_permission":
        client.force_login(User.objects.create_user("bob", is_staff=True))

    shown = client.get(signup.get_checkin_url())
    response = client.post(signup.get_checkin_url(), {"confirm": "yes"})

    signup.refresh_from_db()
    assert response.status_code in (302, 403)
    assert "赵敏" not in html(shown)
    assert signup.checked_in_at is None


def test_check_in_on_another_day_asks_for_confirmation_first(client):
    signup = SignupFactory()  # its event is in ten days
    client.force_login(staff_user())
    url = signup.get_checkin_url()

    shown = client.get(url)
    asked = client.post(url)
    signup.refresh_from_db()
    checked_in_before = signup.checked_in_at
    confirmed = client.post(url, {"confirm": "yes"})

    signup.refresh_from_db()
    assert shown.context["other_day"] is True
    assert 'name="confirm" value="yes"' in html(shown)
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in html(asked)
    assert checked_in_before is None
    assert confirmed["Location"] == url
    assert signup.checked_in_at is not None


def test_check_in_page_on_the_day_asks_nothing_more(client):
    signup = SignupFactory(event=event_under_way())
    client.force_login(staff_user())

    shown = client.get(signup.get_checkin_url())

    assert shown.context["other_day"] is False
    assert 'name="confirm"' not in html(shown)


# --- iCalendar ----------------------------------------------------------


def test_ics_is_a_calendar_with_the_event_in_beijing_time(client, settings):
    settings.SITE_URL = "https://garden.example.org"
    starts = dt.datetime(2031, 4, 6, 9, 0, tzinfo=SHANGHAI)
    event = EventFactory(
        title="乡土植物进社区",
        meeting_point="牡丹园社区党群服务站",
        description="一起种牡丹",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
    )

    response = client.get(reverse("events:ics", args=[event.slug]))

    calendar = Calendar.from_ical(response.content)
    [vevent] = calendar.events
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert calendar["VERSION"] == "2.0"
    assert "Tongyun" in str(calendar["PRODID"])
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert vevent.start == starts
    assert vevent.start.utcoffset() == dt.timedelta(hours=8)
    assert vevent.end == starts + dt.timedelta(hours=3)
    assert str(vevent["UID"]) == event.calendar_uid
    assert vevent["SEQUENCE"] == 0
    assert vevent["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    assert "DTSTAMP" in vevent
    assert str(vevent["SUMMARY"]) == "乡土植物进社区"
    assert str(vevent["LOCATION"]) == "牡丹园社区党群服务站"
    assert "一起种牡丹" in str(vevent["DESCRIPTION"])
    assert str(vevent["URL"]) == "https://garden.example.org" + event.get_absolute_url()


def test_ics_keeps_its_uids_and_raises_sequence_when_the_time_changes(client):
    event = EventFactory()
    url = reverse("events:ics", args=[event.slug])
    first = Calendar.from_ical(client.get(url).content)

    again = Calendar.from_ical(client.get(url).content)
    event.title = "护绿日"
    services.save_event(event=event)
    event.starts_at += dt.timedelta(days=1)
    event.ends_at += dt.timedelta(days=1)
    services.save_event(event=event)
    moved = Calendar.from_ical(client.get(url).content)

    uids = {str(calendar["UID"]) for calendar in (first, again, moved)}
    event_uids = {str(calendar.events[0]["UID"]) for calendar in (first, again, moved)}
    assert len(uids) == 1
    assert event_uids == {event.calendar_uid}
    sequences = [calendar.events[0]["SEQUENCE"] for calendar in (first, again, moved)]
    assert sequences == [0, 0, 1]
    assert moved.events[0].start == event.starts_at


def test_ics_varies_by_language_cookie_and_browser(client):
    event = EventFactory(title="植树日", title_en="Planting day")
    url = reverse("events:ics", args=[event.slug])

    response = client.get(url)
    client.cookies["django_language"] = "en"
    english = client.get(url)

    assert {"Accept-Language", "Cookie"} <= {
        part.strip() for part in response["Vary"].split(",")
    }
    assert str(Calendar.from_ical(response.content).events[0]["SUMMARY"]) == "植树日"
    summary = Calendar.from_ical(english.content).events[0]["SUMMARY"]
    assert str(summary) == "Planting day"


def test_ics_of_a_cancelled_event_says_cancelled(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    response = client.get(reverse("events:ics", args=[event.slug]))

    [vevent] = Calendar.from_ical(response.content).events
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_ics_of_a_draft_is_not_found(client):
    event = EventFactory(status=Event.Status.DRAFT)

    response = client.get(reverse("events:ics", args=[event.slug]))

    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


# --- Constant query counts ----------------------------------------------


@pytest.mark.parametrize("item_count", [1, 10])
def test_event_list_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        event = EventFactory(gardens=[GardenFactory(), GardenFactory()])
        SignupFactory(event=event)
        past_event(gardens=[GardenFactory()])

    # 5 queries: the count of upcoming events, their page with seats taken
    # (a subquery), their gardens, the count of past events, their page.
    with django_assert_num_queries(5):
        response = client.get(reverse("events:list"))

    assert html(response).count('class="card event-card') == item_count
    assert len(response.context["past"]) == item_count


def test_event_list_shows_coming_events_a_page_at_a_time_keeping_the_past_page(
    client,
):
    coming = [
        EventFactory(starts_at=timezone.now() + dt.timedelta(days=days))
        for days in range(2, 2 + UPCOMING_PER_PAGE + 2)
    ]
    for days in range(2, 2 + PAST_PER_PAGE + 1):
        past_event(days_ago=days)
    url = reverse("events:list")

    first = client.get(url)
    second = client.get(url, {"upcoming": 2, "page": 2})
    beyond = client.get(url, {"upcoming": 99})

    assert first.context["upcoming"] == coming[:UPCOMING_PER_PAGE]
    assert second.context["upcoming"] == coming[UPCOMING_PER_PAGE:]
    assert beyond.context["upcoming"] == coming[UPCOMING_PER_PAGE:]
    assert f'href="{url}?page=2&amp;upcoming=1"' in html(second)
    assert f'href="{url}?upcoming=2&amp;page=1"' in html(second)
    assert f'href="{url}?upcoming=2"' in html(first)
    assert coming[-1].get_absolute_url() in html(second)
    assert coming[-1].get_absolute_url() not in html(first)


def test_event_list_shows_past_events_a_page_at_a_time(client):
    events = [
        past_event(days_ago=days, title=f"往期活动{days:02d}")
        for days in range(2, 2 + PAST_PER_PAGE + 3)
    ]
    EventFactory(title="下一场活动")

    first = client.get(reverse("events:list"))
    second = client.get(reverse("events:list"), {"page": 2})
    beyond = client.get(reverse("events:list"), {"page": 99})

    assert first.context["past"] == events[:PAST_PER_PAGE]
    assert second.context["past"] == events[PAST_PER_PAGE:]
    assert beyond.context["past"] == events[PAST_PER_PAGE:]
    assert 'href="/events/?page=2"' in html(first)
    # Every page keeps what is still to come.
    assert "下一场活动" in html(first)
    assert "下一场活动" in html(second)


@pytest.mark.parametrize("item_count", [1, 10])
def test_event_detail_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    gardens = GardenFactory.create_batch(item_count)
    event = EventFactory(gardens=gardens)
    SignupFactory.create_batch(item_count, event=event)

    # 2 queries: the event with seats taken, its gardens.
    with django_assert_num_queries(2):
        response = client.get(event.get_absolute_url())

    assert html(response).count('class="chip theme-') == item_count


@pytest.mark.parametrize("item_count", [1, 10])
def test_past_event_detail_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    gardens = GardenFactory.create_batch(item_count)
    event = past_event(gardens=gardens)
    for garden in gardens:
        PlantingFactory(event=event, zone__garden=garden)
        SignupFactory(event=event, checked_in_at=event.starts_at)

    # 6 queries: the event with seats taken, its gardens, the check-in
    # totals, planted per species, the plantings with zone, garden, species,
    # the planted total.
    with django_assert_num_queries(6):
        response = client.get(event.get_absolute_url())

    assert len(response.context["results"]["species"]) == item_count
    assert html(response).count("<tr>") == item_count + 1


@pytest.mark.parametrize("item_count", [1, 10])
def test_ticket_query_count_is_constant(client, django_assert_num_queries, item_count):
    event = EventFactory(capacity=item_count, gardens=[GardenFactory()])
    SignupFactory.create_batch(item_count, event=event)
    SignupFactory.create_batch(item_count, event=event, status=Signup.Status.WAITLISTED)
    signup = SignupFactory(event=event, status=Signup.Status.WAITLISTED)

    # 2 queries: the sign-up with its event and organisation, its place in
    # the queue and the event's seats taken (subqueries); the event's gardens.
    with django_assert_num_queries(2):
        response = client.get(signup.get_absolute_url())

    assert response.context["position"] == item_count + 1
    # A waiting sign-up is no valid ticket: no check-in code.
    assert '<div class="qr"' not in html(response)


@pytest.mark.parametrize("item_count", [1, 3])
def test_ticket_offering_free_seats_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    event = EventFactory(capacity=item_count + 1, gardens=[GardenFactory()])
    SignupFactory.create_batch(item_count, event=event)
    first = SignupFactory(event=event, headcount=2, status=Signup.Status.WAITLISTED)
    SignupFactory.create_batch(
        item_count, event=event, headcount=3, status=Signup.Status.WAITLISTED
    )

    # 2 queries: the sign-up with its event, organisation, place in the queue
    # and the event's seats taken; the event's gardens.
    with django_assert_num_queries(2):
        response = client.get(first.get_absolute_url())

    assert (response.context["position"], response.context["seats_offered"]) == (1, 1)


@pytest.mark.parametrize("item_count", [1, 3])
def test_event_detail_with_a_queue_query_count_is_constant(
    client, django_assert_num_queries, item_count
):
    event = EventFactory(capacity=item_count, gardens=[GardenFactory()])
    SignupFactory.create_batch(item_count, event=event)
    SignupFactory.create_batch(item_count, event=event, status=Signup.Status.WAITLISTED)

    # 2 queries: the event with seats taken and who waits (subqueries), its
    # gardens.
    with django_assert_num_queries(2):
        response = client.get(event.get_absolute_url())

    assert waiting_line(response) == [str(item_count), str(item_count)]


# --- Pieces the site layer composes the event page from ---------------------


def test_public_events_are_published_or_cancelled_with_seats():
    shown = EventFactory(capacity=5)
    SignupFactory(event=shown, headcount=2)
    cancelled = EventFactory(status=Event.Status.CANCELLED)
    EventFactory(status=Event.Status.DRAFT)

    events = {e.pk: e for e in public_events()}

    assert set(events) == {shown.pk, cancelled.pk}
    assert events[shown.pk].seats_left == 3


def test_render_detail_shows_the_results_it_is_given(rf):
    event = public_events().get(pk=past_event().pk)
    request = rf.get(event.get_absolute_url())
    results = {
        "participants": 12,
        "hours": Decimal("30.5"),
        "species": [],
        "plantings": [],
        "planted": 0,
    }

    response = render_detail(request, event, SignupForm(), results=results)

    page = html(response)
    assert "<strong>12</strong>" in page
    assert "<strong>30.5</strong>" in page
    assert 'class="signup-form"' not in page


# --- The waiting list, first come first served ----------------------------------


def a_queue_with_one_seat_free(**event_fields):
    """Capacity 5, 4 confirmed; waiting: 3 people, then 2 people."""
    event = EventFactory(capacity=5, **event_fields)
    SignupFactory(event=event, headcount=4)
    first = SignupFactory(event=event, headcount=3, status="waitlisted")
    second = SignupFactory(event=event, headcount=2, status="waitlisted")
    SignupFactory(event=event, headcount=5, status="cancelled")
    return event, first, second


def waiting_line(response):
    found = re.search(r'<p class="waiting">(.*?)</p>', html(response), re.S)
    return found and re.findall(r"\d+", found.group(1))


def test_event_page_says_how_many_wait_beside_the_seat_left(client):
    event, _, _ = a_queue_with_one_seat_free()

    response = client.get(event.get_absolute_url())

    seats = html(response).split('class="seats-left"')[1].split("</p>")[0]
    assert re.findall(r"\d+", seats) == ["1", "5"]
    assert waiting_line(response) == ["5", "2"]  # people, sign-ups


def test_event_list_says_how_many_wait(client):
    event, _, _ = a_queue_with_one_seat_free()

    response = client.get(reverse("events:list"))

    assert waiting_line(response) == ["5", "2"]


def test_event_page_without_a_queue_says_nothing_of_waiting(client):
    event = EventFactory(capacity=5)
    SignupFactory(event=event, headcount=4)

    response = client.get(event.get_absolute_url())

    assert waiting_line(response) is None


def card_link(response):
    card = html(response).split('class="next-event"')[1].split("</section>")[0]
    [link] = re.findall(r'<a class="more" href="[^"]*">(.*?)</a>', card, re.S)
    return " ".join(link.split())


def test_event_card_says_how_many_wait_and_offers_the_waiting_list(client):
    event = EventFactory(capacity=2)
    SignupFactory(event=event, headcount=2)
    SignupFactory(event=event, headcount=1, status="waitlisted")

    response = client.get(reverse("gardens:home"))

    assert waiting_line(response) == ["1", "1"]
    assert response.context["next_event"].signup_state() == "waitlist"
    assert card_link(response) == "报名候补 ›"  # "Join the waiting list"


def test_event_card_of_an_open_event_offers_to_sign_up(client):
    EventFactory(capacity=2)

    response = client.get(reverse("gardens:home"))

    assert card_link(response) == "我要报名 ›"  # "Sign up"
    assert waiting_line(response) is None


def test_ticket_of_the_first_in_line_offers_the_free_seats(english):
    event, first, _ = a_queue_with_one_seat_free()

    response = english.get(first.get_absolute_url())

    page = html(response)
    assert response.context["position"] == 1
    assert response.context["seats_offered"] == 1
    assert f'action="{reverse("events:take_seats", args=[first.token])}"' in page
    assert re.findall(r'name="headcount"[^>]*value="(\d+)"', page) == ["1"]
    assert 'name="csrfmiddlewaretoken"' in page
    assert "take-seats" in classes(response)


def test_ticket_of_the_second_in_line_offers_nothing_and_explains_the_order(english):
    event, _, second = a_queue_with_one_seat_free()

    response = english.get(second.get_absolute_url())

    assert response.context["position"] == 2
    assert response.context["seats_offered"] == 0
    assert reverse("events:take_seats", args=[second.token]) not in html(response)
    assert "smaller sign-up" in html(response)


def test_ticket_of_a_waiting_sign_up_looks_like_no_valid_ticket(english):
    event, first, _ = a_queue_with_one_seat_free()

    response = english.get(first.get_absolute_url())

    page = html(response)
    assert '<div class="qr"' not in page
    assert reverse("events:ics", args=[event.slug]) not in page
    assert "You hold no seat yet" in page
    assert "Show this code" not in page


def test_ticket_of_a_cancelled_sign_up_says_so_without_a_calendar_link(english):
    signup = SignupFactory(status="cancelled")

    response = english.get(signup.get_absolute_url())

    page = html(response)
    assert reverse("events:ics", args=[signup.event.slug]) not in page
    assert "This sign-up was cancelled" in page
    assert '<div class="qr"' not in page


def test_confirmed_ticket_links_its_own_calendar_file_in_plain_words(english):
    signup = SignupFactory()

    response = english.get(signup.get_absolute_url())

    ics = reverse("events:ics", args=[signup.event.slug])
    assert f'href="{ics}?ticket={signup.token}"' in html(response)
    assert "Add to my phone's calendar" in html(response)
    assert "(.ics)" not in html(response)


def test_take_seats_confirms_the_first_in_line_with_fewer_people(client):
    event, first, second = a_queue_with_one_seat_free()

    response = client.post(
        reverse("events:take_seats", args=[first.token]), {"headcount": "1"}
    )
    ticket = client.get(response["Location"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == first.get_absolute_url()
    assert (first.status, first.headcount) == ("confirmed", 1)
    assert second.status == "waitlisted"
    assert '<div class="qr"' in html(ticket)
    assert "<dd>1</dd>" in html(ticket)


@pytest.mark.parametrize("headcount", ["0", "2", "3", "many", ""])
def test_take_seats_beyond_the_free_seats_is_refused_plainly(client, headcount):
    event, first, _ = a_queue_with_one_seat_free()

    response = client.post(
        reverse("events:take_seats", args=[first.token]), {"headcount": headcount}
    )

    first.refresh_from_db()
    assert response.status_code == 422
    assert (first.status, first.headcount) == ("waitlisted", 3)
    assert response.context["take_seats_form"].errors["headcount"]
    assert 'class="take-seats' in html(response)


def test_take_seats_by_the_second_in_line_is_refused(client):
    event, _, second = a_queue_with_one_seat_free()

    response = client.post(
        reverse("events:take_seats", args=[second.token]), {"headcount": "1"}
    )

    second.refresh_from_db()
    assert response.status_code == 422
    assert (second.status, second.headcount) == ("waitlisted", 2)
    assert 'role="alert"' in html(response)


def test_take_seats_past_the_rate_limit_changes_nothing(client):
    event, first, _ = a_queue_with_one_seat_free()
    url = reverse("events:take_seats", args=[first.token])
    for _ in range(20):
        client.post(url, {"headcount": "9"})

    response = client.post(url, {"headcount": "1"})

    first.refresh_from_db()
    assert response.status_code == 429
    assert (first.status, first.headcount) == ("waitlisted", 3)
    assert 'role="alert"' in html(response)


def test_take_seats_without_csrf_token_is_refused():
    event, first, _ = a_queue_with_one_seat_free()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("events:take_seats", args=[first.token]), {"headcount": "1"}
    )

    first.refresh_from_db()
    assert response.status_code == 403
    assert first.status == "waitlisted"


def test_take_seats_of_unknown_token_is_not_found(client):
    event, first, _ = a_queue_with_one_seat_free()

    response = client.post(
        reverse("events:take_seats", args=["no-such-token"]), {"headcount": "1"}
    )

    first.refresh_from_db()
    assert response.status_code == 404
    assert first.status == "waitlisted"


def test_take_seats_answers_get_with_method_not_allowed(client):
    event, first, _ = a_queue_with_one_seat_free()

    response = client.get(reverse("events:take_seats", args=[first.token]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- Check-in of a sign-up without a seat ---------------------------------------


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_check_in_of_a_sign_up_without_a_seat_is_refused(client, status):
    signup = SignupFactory(status=status)
    client.force_login(staff_user())

    response = client.post(signup.get_checkin_url(), {"confirm": "yes"})

    signup.refresh_from_db()
    assert response.status_code == 409
    assert signup.checked_in_at is None
    assert 'role="alert"' in html(response)
    assert 'class="checked-in"' not in html(response)


# --- Groups bigger than the public limit -----------------------------------------


def test_event_page_shows_the_organisers_phone(client):
    event = EventFactory(organiser_phone="010-8958 1234")

    response = client.get(event.get_absolute_url())

    assert 'href="tel:01089581234"' in html(response)
    assert "010-8958 1234" in html(response)


def test_event_page_without_an_organisers_phone_shows_none(client):
    event = EventFactory(organiser_phone="")

    response = client.get(event.get_absolute_url())

    assert 'href="tel:' not in html(response)


def test_signup_of_too_many_people_is_told_whom_to_call(client):
    event = EventFactory(organiser_phone="010-8958 1234")

    response = sign_up(client, event, headcount="6")

    errors = response.context["form"].errors.as_data()["headcount"]
    assert response.status_code == 422
    assert [e.code for e in errors] == ["invalid_choice"]
    assert "010-8958 1234" in errors[0].message
    assert Signup.objects.count() == 0


def test_signup_of_too_many_people_without_a_phone_is_sent_to_the_meeting_point(
    client,
):
    event = EventFactory(meeting_point="紫荆雅园社区服务站", organiser_phone="")

    response = sign_up(client, event, headcount="6")

    errors = response.context["form"].errors.as_data()["headcount"]
    assert [e.code for e in errors] == ["invalid_choice"]
    assert "紫荆雅园社区服务站" in errors[0].message
    assert Signup.objects.count() == 0


# --- The calendar file from a ticket -------------------------------------------


def ics_of(client, event, **params):
    response = client.get(reverse("events:ics", args=[event.slug]), params)
    [vevent] = Calendar.from_ical(response.content).events
    return response, vevent


def test_ics_from_a_ticket_points_at_the_ticket(client, settings):
    settings.SITE_URL = "https://garden.example.org"
    signup = SignupFactory()

    response, vevent = ics_of(client, signup.event, ticket=signup.token)

    ticket = "https://garden.example.org" + signup.get_absolute_url()
    assert str(vevent["URL"]) == ticket
    assert ticket in str(vevent["DESCRIPTION"])
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("whose", ["other_event", "cancelled", "unknown"])
def test_ics_with_a_foreign_or_dead_ticket_is_the_plain_event(client, settings, whose):
    settings.SITE_URL = "https://garden.example.org"
    event = EventFactory()
    other = SignupFactory(
        event=EventFactory() if whose == "other_event" else event,
        status="cancelled" if whose == "cancelled" else "confirmed",
    )
    token = "no-such-token" if whose == "unknown" else other.token

    response, vevent = ics_of(client, event, ticket=token)

    assert str(vevent["URL"]) == "https://garden.example.org" + event.get_absolute_url()
    assert other.token not in response.content.decode()
    assert "/signups/" not in response.content.decode()


def test_ics_from_a_ticket_logs_no_token(client, caplog):
    signup = SignupFactory()

    with caplog.at_level("DEBUG"):
        ics_of(client, signup.event, ticket=signup.token)
        ics_of(client, signup.event, ticket="x" + signup.token)

    assert signup.token not in caplog.text
