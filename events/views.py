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
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from tongyun.lib import phones
from tongyun.lib.forms import refuse_over_rate_limit

from . import services
from .forms import SignupForm
from .models import Event, Signup

# Per client address; a family or a school class shares one, hence not lower.
SIGNUP_RATE = "10/h"
# Each cancellation takes two POSTs (the question, then the confirmation).
CANCEL_RATE = "20/h"

# Which form field a refusal of services.sign_up belongs next to.
FIELD_OF_REFUSAL = {"phone_taken": "phone", "bad_headcount": "headcount"}


def public_events():
    """
    What the public sees of events: published or cancelled, with seats taken
    (one subquery) and gardens (prefetched, one query), so that
    signup_state() and theme need no further query.
    """
    return Event.objects.visible().with_seats().prefetch_related("gardens")


@require_safe
def event_list(request):
    now = timezone.now()
    events = list(public_events().order_by("starts_at"))
    ctx = {
        "upcoming": [e for e in events if not e.is_over(now)],
        "past": [e for e in reversed(events) if e.is_over(now)],
    }
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


@require_POST
@never_cache
@ratelimit(key="ip", rate=SIGNUP_RATE, method="POST", block=False)
def signup_create(request, slug):
    """
    Sign up through services.sign_up; 303 to the ticket.

    Errors re-render the event page with the form as typed (never the
    results, even once the event is over): 422 for what the person can fix,
    429 past the rate limit, 503 when the event stays locked
    (services.Busy). Nothing is written then.
    """
    event = get_object_or_404(public_events(), slug=slug)
    form = SignupForm(request.POST)
    if limited := refuse_over_rate_limit(
        request,
        form,
        gettext("Too many sign-ups from this device. Please try again in an hour."),
        partial(render_detail, request, event),
    ):
        return limited
    if not form.is_valid():
        return render_detail(request, event, form, status=422)
    data = form.cleaned_data
    try:
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
        form.add_error(FIELD_OF_REFUSAL.get(refusal.code), refusal)
        return render_detail(request, event, form, status=422)
    except services.Busy:
        return render_detail(
            request, event, form, status=503, template="events/busy.html"
        )
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


def ticket_url(signup):
    """The ticket's absolute address, as its QR code and messages carry it."""
    return settings.SITE_URL + signup.get_absolute_url()


def ticket_qr_svg(url):
    """The QR code of url as inline SVG, sized by CSS."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=4, dark="#2b2522", light="#ffffff", omitsize=True)
    # segno writes the markup itself and escapes nothing it takes from url:
    # the url only becomes black and white squares.
    return mark_safe(svg)


def _ticket_signups():
    return Signup.objects.select_related("event", "organisation").prefetch_related(
        "event__gardens"
    )


@require_safe
@never_cache
def ticket(request, token):
    """
    The volunteer's ticket: whoever holds the link holds the sign-up.

    Queries: the sign-up with event and organisation, the event's gardens,
    and the waiting-list position when waitlisted.
    """
    signup = get_object_or_404(_ticket_signups(), token=token)
    event = signup.event
    url = ticket_url(signup)
    user = request.user
    ctx = {
        "signup": signup,
        "event": event,
        "position": services.waitlist_position(signup),
        "ticket_url": url,
        "qr_svg": ticket_qr_svg(url) if signup.is_active else "",
        "masked_phone": phones.mask(signup.phone) if signup.phone else "",
        "can_cancel": (
            signup.is_active and not signup.checked_in_at and not event.is_over()
        ),
        "can_check_in": user.is_staff and user.has_perm("events.change_signup"),
    }
    return render(request, "events/ticket.html", ctx)


@require_POST
@never_cache
@ratelimit(key="ip", rate=CANCEL_RATE, method="POST", block=False)
def signup_cancel(request, token):
    """
    Cancel through services.cancel after a confirmation; 303 to the ticket.

    The first POST (without confirm=yes) only asks "are you sure?".
    """
    signup = get_object_or_404(Signup.objects.select_related("event"), token=token)
    ctx = {"signup": signup, "event": signup.event}
    if request.limited:
        ctx["error"] = gettext(
            "Too many attempts from this device. Please try again in an hour."
        )
        return render(request, "events/signup_cancel.html", ctx, status=429)
    if not signup.is_active:
        return HttpResponseRedirect(signup.get_absolute_url(), status=303)
    if request.POST.get("confirm") != "yes":
        return render(request, "events/signup_cancel.html", ctx)
    try:
        services.cancel(signup)
    except services.Busy:
        ctx["error"] = gettext(
            "Many people are changing their sign-ups right now, and yours was not "
            "cancelled yet. Please press the button again in a moment."
        )
        return render(request, "events/signup_cancel.html", ctx, status=503)
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


@require_POST
@staff_member_required
@permission_required("events.change_signup", raise_exception=True)
def signup_check_in(request, token):
    """
    Staff scan the ticket's QR code and press "Check in"; 303 back. On
    another day than the event's, a page asks first (a ticket of another
    event, or a check-in after the fact); its POST has confirm=yes.
    """
    signup = get_object_or_404(Signup.objects.select_related("event"), token=token)
    today = timezone.localdate()
    if not signup.event.takes_place_on(today) and request.POST.get("confirm") != "yes":
        ctx = {"signup": signup, "event": signup.event, "today": today}
        return render(request, "events/check_in_confirm.html", ctx)
    services.check_in(signup)
    return HttpResponseRedirect(signup.get_absolute_url(), status=303)


@require_safe
def event_ics(request, slug):
    """The event as an iCalendar file, its times in the gardens' time zone."""
    event = get_object_or_404(Event.objects.visible(), slug=slug)
    zone = timezone.get_default_timezone()
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    url = settings.SITE_URL + event.get_absolute_url()
    description = "\n\n".join(filter(None, [event.description_i18n, url]))
    cancelled = event.status == Event.Status.CANCELLED
    vevent = icalendar.Event.new(
        uid=f"event-{event.pk}@tongyun",
        stamp=timezone.now(),
        start=start,
        end=end,
        summary=event.title_i18n,
        location=event.meeting_point_i18n,
        description=description,
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    calendar = icalendar.Calendar.new(
        prodid="-//Tongyun Garden City//Events//EN",
        method="PUBLISH",
        subcomponents=[vevent],
    )
    calendar.add_missing_timezones(
        first_date=start.date() - dt.timedelta(days=1),
        last_date=end.date() + dt.timedelta(days=1),
    )
    return HttpResponse(
        calendar.to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
