"""
Public pages of events: list, sign-up, ticket, iCalendar.

The event page itself also shows, once the day is over, what was planted
at it, which the plantings app knows: the site layer composes it
(tongyun.views.event_detail) and renders it with render_detail().
"""

import datetime as dt
from functools import partial

import icalendar
import segno
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from gardens.access import reaches
from tongyun.lib import history, phones, posters
from tongyun.lib.dates import long_date
from tongyun.lib.forms import refuse_over_rate_limit
from tongyun.lib.limits import Limit, too_many_attempts
from tongyun.lib.pagecache import cached_page
from tongyun.lib.pages import page_context
from tongyun.lib.robots import private_page

from . import services
from .forms import SignupForm, TakeSeatsForm
from .models import EVENT_PATH, Event, Signup

# Which form field a refusal of services.sign_up belongs next to.
FIELD_OF_REFUSAL = {"phone_taken": "phone", "bad_headcount": "headcount"}


# Past events on the events page, newest first: a page of them at a time.
PAST_PER_PAGE = 20
# Events to come, soonest first, a page at a time too (?upcoming=).
UPCOMING_PER_PAGE = 12


def public_events():
    """
    What the public sees of events: published or cancelled, with seats taken
    and who waits (subqueries, with_queue()) and gardens (prefetched, one
    query), so that signup_state(), the queue and theme need no further
    query.
    """
    return Event.objects.visible().with_queue().prefetch_related("gardens")


@require_safe
@cached_page("events", "gardens")
def event_list(request):
    """
    Events still to come, soonest first, with their seats, UPCOMING_PER_PAGE
    a page (?upcoming=); then past ones, newest first, PAST_PER_PAGE a page
    (?page=), by title and date only. Each list's page links keep the
    other's page. Queries: the count of upcoming events, their page (seats
    and queue in subqueries), their gardens, the count of past events and,
    when there are any, their page.
    """
    now = timezone.now()
    past = (
        Event.objects.visible()
        .past(now)
        .only("slug", "title", "title_en", "starts_at", "ends_at", "status")
    )
    upcoming = page_context(
        public_events().upcoming(now).order_by("starts_at", "pk"),
        request.GET.get("upcoming"),
        per_page=UPCOMING_PER_PAGE,
        filters={"page": request.GET.get("page")},
    )
    ctx = {
        "upcoming": list(upcoming["page"]),
        "upcoming_pages": upcoming,
        **page_context(
            past,
            request.GET.get("page"),
            per_page=PAST_PER_PAGE,
            filters={"upcoming": request.GET.get("upcoming")},
        ),
    }
    ctx["past"] = list(ctx["page"])
    return render(request, "events/event_list.html", ctx)


def render_detail(request, event, form, *, results=None, status=200, template=None):
    """
    The event page, or template (a partial of it, or busy.html) instead.

    event comes from public_events(); form is the sign-up form (bound when
    it comes back with errors); results, for an event that is over, what it
    achieved (participants, hours, species, plantings, planted), shown
    instead of the form.
    """
    ctx = {"event": event, "form": form, "results": results}
    return render(request, template or "events/event_detail.html", ctx, status=status)


def _seats_refusal(limit):
    minutes = limit.retry_minutes()
    return ngettext(
        "This network has taken as many seats of this event as one network "
        "may for now ({count}). Please try again in {minutes} minute.",
        "This network has taken as many seats of this event as one network "
        "may for now ({count}). Please try again in {minutes} minutes.",
        minutes,
    ).format(count=limit.count, minutes=minutes)


@require_POST
@never_cache
def signup_create(request, slug):
    """
    Sign up through services.sign_up; 303 to the ticket.

    Errors re-render the event page with the form as typed (never the
    results, even once the event is over): 422 for what the person can fix,
    429 past a rate limit, 503 when the event stays locked (services.Busy).
    Nothing is written then.

    Rate limits, per client network (tongyun.lib.limits): the seats of
    this event taken (signup_seats, by headcount, counted only for sign-ups
    accepted), and, apart from them, the forms refused (refused), so that
    mistakes cost no seats and seats cost no mistakes.
    """
    event = get_object_or_404(public_events(), slug=slug)
    form = SignupForm(request.POST, event=event)
    render_form = partial(render_detail, request, event)
    refused = Limit("refused", request, "signup")
    if refused.reached():
        return refuse_over_rate_limit(form, too_many_attempts(refused), render_form)
    if not form.is_valid():
        refused.take()
        return render_form(form, status=422)
    data = form.cleaned_data
    seats = Limit("signup_seats", request, "event", event.pk)
    if not seats.take(data["headcount"]):
        return refuse_over_rate_limit(form, _seats_refusal(seats), render_form)
    try:
        with history.by_visitor(services.SIGNED_UP):
            signup = services.sign_up(
                event=event,
                name=data["name"],
                phone=data["phone"],
                headcount=data["headcount"],
                organisation=form.matched_organisation(),
                email=data["email"],
                language=request.LANGUAGE_CODE,
            )
    except ValidationError as refusal:
        seats.give_back(data["headcount"])
        refused.take()
        form.add_error(FIELD_OF_REFUSAL.get(refusal.code), refusal)
        return render_form(form, status=422)
    except services.Busy:
        # Not the client's doing: neither a seat nor a refusal.
        seats.give_back(data["headcount"])
        return render_detail(
            request, event, form, status=503, template="events/busy.html"
        )
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


def ticket_url(signup):
    """The ticket's absolute address, as messages and calendar files carry it."""
    return settings.SITE_URL + signup.get_absolute_url()


def checkin_url(signup):
    """
    The absolute address of the staff's check-in page, as the ticket's QR
    code carries it: the check-in code, never the ticket's token.
    """
    return settings.SITE_URL + signup.get_checkin_url()


def ticket_qr_svg(url):
    """The QR code of url as inline SVG, sized by CSS."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=4, dark="#2b2522", light="#ffffff", omitsize=True)
    # segno writes the markup itself and escapes nothing it takes from url:
    # the url only becomes black and white squares.
    return mark_safe(svg)


def _ticket_signups():
    return (
        Signup.objects.with_queue()
        .select_related("event", "organisation")
        .prefetch_related("event__gardens")
    )


def render_ticket(request, signup, *, take_seats_form=None, error="", status=200):
    """
    The ticket page of signup (from _ticket_signups()): a valid ticket (QR
    code for check-in, calendar file) only while it holds seats; for the
    first in line, the form to take the seats that are free
    (take_seats_form when it comes back with errors); the cancel button
    while the sign-up may be cancelled; error, a refusal shown on top.
    """
    offered = signup.seats_offered()
    if offered and take_seats_form is None:
        take_seats_form = TakeSeatsForm(most=offered)
    ctx = {
        "signup": signup,
        "event": signup.event,
        "position": signup.waitlist_position,
        "seats_offered": offered,
        "take_seats_form": take_seats_form if offered else None,
        "error": error,
        "ticket_url": ticket_url(signup),
        "qr_svg": ticket_qr_svg(checkin_url(signup)) if signup.holds_seats else "",
        "masked_phone": phones.mask(signup.phone) if signup.phone else "",
        "can_cancel": signup.is_active and signup.cancel_refusal() is None,
    }
    return render(request, "events/ticket.html", ctx, status=status)


@private_page
@require_safe
@never_cache
def ticket(request, token):
    """
    The volunteer's ticket: whoever holds the link holds the sign-up.

    Queries: the sign-up with event, organisation and its place in the
    queue (with_queue()), the event's gardens.
    """
    signup = get_object_or_404(_ticket_signups(), token=token)
    return render_ticket(request, signup)


@private_page
@require_POST
@never_cache
def signup_take_seats(request, token):
    """
    The first in line takes the seats that are free for fewer people,
    through services.take_free_seats; 303 to the ticket.

    Refusals show the ticket again with the reason: 422 for what the person
    can see or fix, 429 past the rate limit, 503 when the event stays
    locked. Nothing is written then.
    """
    signup = get_object_or_404(_ticket_signups(), token=token)
    offered = signup.seats_offered()
    form = TakeSeatsForm(request.POST, most=offered)
    changes = Limit("ticket_changes", request)
    if not changes.take():
        error = too_many_attempts(changes)
        return render_ticket(request, signup, error=error, status=429)
    if offered and not form.is_valid():
        return render_ticket(request, signup, take_seats_form=form, status=422)
    # Nothing offered as read: the service says why, under the event's lock.
    headcount = form.cleaned_data["headcount"] if offered else 0
    try:
        with history.by_visitor(services.TOOK_FREE_SEATS):
            services.take_free_seats(signup=signup, headcount=headcount)
    except ValidationError as refusal:
        # Show the queue as it is now, with the refusal on top.
        signup = get_object_or_404(_ticket_signups(), token=token)
        return render_ticket(request, signup, error=refusal.message, status=422)
    except services.Busy:
        error = gettext(
            "Many people are changing their sign-ups right now, and yours was "
            "not changed yet. Please press the button again in a moment."
        )
        return render_ticket(
            request, signup, take_seats_form=form, error=error, status=503
        )
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


@private_page
@require_POST
@never_cache
def signup_cancel(request, token):
    """
    Cancel through services.cancel after a confirmation; 303 to the ticket.

    The first POST (without confirm=yes) only asks "are you sure?". A
    sign-up that may no longer be cancelled (checked in, or its event has
    started: Signup.cancel_refusal()) gets its ticket again with the
    reason, 409, before and after the question; nothing is written then.
    """
    signup = get_object_or_404(_ticket_signups(), token=token)
    ctx = {"signup": signup, "event": signup.event}
    # Each cancellation takes two POSTs (the question, then the confirmation).
    changes = Limit("ticket_changes", request)
    if not changes.take():
        ctx["error"] = too_many_attempts(changes)
        return render(request, "events/signup_cancel.html", ctx, status=429)
    if not signup.is_active:
        return HttpResponseRedirect(signup.get_absolute_url(), status=303)
    # Say it before asking: the question would promise what cannot be done.
    if refusal := signup.cancel_refusal():
        return render_ticket(request, signup, error=refusal.message, status=409)
    if request.POST.get("confirm") != "yes":
        return render(request, "events/signup_cancel.html", ctx)
    try:
        with history.by_visitor(services.CANCELLED):
            services.cancel(signup)
    except ValidationError as refusal:
        # Checked in or started since the question: the ticket as it is now.
        signup = get_object_or_404(_ticket_signups(), token=token)
        return render_ticket(request, signup, error=refusal.message, status=409)
    except services.Busy:
        ctx["error"] = gettext(
            "Many people are changing their sign-ups right now, and yours was not "
            "cancelled yet. Please press the button again in a moment."
        )
        return render(request, "events/signup_cancel.html", ctx, status=503)
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@staff_member_required
@permission_required("events.change_signup", raise_exception=True)
def check_in(request, code):
    """
    The staff's check-in page, which the ticket's QR code opens: who signed
    up, for how many, and a "Check in" button; its POST checks them in
    through services.check_in, then 303 back here.

    code is the sign-up's check-in code, never its token: this page links
    to no ticket and cancels nothing, so a photographed QR code gives no
    hold on the sign-up. On another day than the event's the page asks
    first (a ticket of another event, or a check-in after the fact): a POST
    without confirm=yes shows the question. A sign-up without seats
    (waiting, cancelled) is refused: this page again, 409, with the reason.
    Another community's sign-up, or a session without the second step,
    answers 403. Queries: the sign-up with its event and organisation, the
    event's gardens.
    """
    signup = get_object_or_404(_ticket_signups(), checkin_code=code)
    event = signup.event
    if not reaches(request.user, event, EVENT_PATH):
        # Another community's volunteer: their own staff check them in.
        raise PermissionDenied
    today = timezone.localdate()
    ctx = {
        "signup": signup,
        "event": event,
        "today": today,
        # Ask about the day only for a ticket that may be checked in at all.
        "other_day": signup.holds_seats and not event.takes_place_on(today),
    }
    if request.method != "POST" or (
        ctx["other_day"] and request.POST.get("confirm") != "yes"
    ):
        return render(request, "events/check_in.html", ctx)
    try:
        services.check_in(signup)
    except ValidationError as refusal:
        ctx["error"] = refusal.message
        return render(request, "events/check_in.html", ctx, status=409)
    return HttpResponseRedirect(signup.get_checkin_url(), status=303)


@require_safe
@cached_page("events", "gardens")
def event_ics(request, slug):
    """
    The event as an iCalendar file, its times in the gardens' time zone.

    Downloaded from a ticket (?ticket=<token> of an active sign-up of this
    event), its link is that ticket, and the file is kept out of shared
    caches; any other token gives the plain event, saying nothing of it.
    Queries: the event; the sign-up when a token is given.
    """
    event = get_object_or_404(Event.objects.visible(), slug=slug)
    token = request.GET.get("ticket", "")
    signup = event.signups.active().filter(token=token).first() if token else None
    zone = timezone.get_default_timezone()
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    url = ticket_url(signup) if signup else settings.SITE_URL + event.get_absolute_url()
    description = "\n\n".join(filter(None, [event.description_i18n, url]))
    cancelled = event.status == Event.Status.CANCELLED
    # The UIDs and SEQUENCE let a calendar app replace the copy it imported
    # before (Event.calendar_uid, Event.revise_calendar); icalendar would
    # give the calendar a new UID on every download.
    vevent = icalendar.Event.new(
        uid=event.calendar_uid,
        sequence=event.sequence,
        stamp=timezone.now(),
        last_modified=event.updated_at,
        start=start,
        end=end,
        summary=event.title_i18n,
        location=event.meeting_point_i18n,
        description=description,
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    calendar = icalendar.Calendar.new(
        uid=f"calendar-{event.calendar_uid}",
        prodid="-//Tongyun Garden City//Events//EN",
        method="PUBLISH",
        subcomponents=[vevent],
    )
    calendar.add_missing_timezones(
        first_date=start.date() - dt.timedelta(days=1),
        last_date=end.date() + dt.timedelta(days=1),
    )
    response = HttpResponse(
        calendar.to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
    # The file's words follow the language chosen by cookie or by the
    # browser.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    if signup:
        # The file carries the ticket's secret link, as the ticket page does.
        add_never_cache_headers(response)
    return response


@require_safe
def event_poster(request, slug):
    """
    The event's share poster (PNG) in the visitor's language: title, date
    and time, gardens, meeting point and the QR code of the event page.
    Published events only (a draft or a cancelled event: 404). Queries:
    the event, its gardens; a poster already drawn is kept
    (posters.poster_response).
    """
    events = Event.objects.published().prefetch_related("gardens")
    event = get_object_or_404(events, slug=slug)
    zone = timezone.get_default_timezone()
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    gardens = event.gardens.all()
    text = {
        "title": str(event.title_i18n),
        "facts": [
            long_date(start.date()),
            f"{start:%H:%M}–{end:%H:%M}",
            pgettext("list of names", ", ").join(
                str(garden.name_i18n) for garden in gardens
            ),
            gettext("Meeting point: {place}").format(place=event.meeting_point_i18n),
        ],
        "url": settings.SITE_URL + event.get_absolute_url(),
        "site_name": gettext("Tongyun Garden City"),
        "caption": [
            gettext("Press and hold the QR code"),
            gettext("to open the event and sign up"),
        ],
        "accent": event.theme,
    }
    # No photo: the date, time and place take the room, in type large
    # enough for older residents.
    return posters.poster_response(
        request,
        drawn_from=[get_language(), *text.values()],
        draw=partial(posters.draw_poster, **text),
    )
