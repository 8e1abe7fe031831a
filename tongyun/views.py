"""
The site layer's pages: those that show several apps at once.

Each app offers query functions about its own data; the pages here compose
them (DESIGN §3). The home page and the pages of one garden, zone or species
keep the gardens app's URL names, and the event page the events app's: the
root URLconf adds them to those namespaces.
"""

import datetime as dt
import sys
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from artworks.models import Artwork
from events.forms import SignupForm
from events.models import Event, Signup
from events.views import public_events, render_detail
from gardens.models import Garden, Species, Zone
from plantings import queries as ledger
from plantings.models import Observation, Planting

from . import dashboard as programme
from . import services
from .forms import FindCodeForm, FindPhoneForm
from .lib import db
from .lib.dates import today
from .lib.forms import refuse_over_rate_limit
from .lib.limits import Limit, too_many_attempts
from .lib.pagecache import cached_page
from .lib.pages import first_rows
from .lib.phones import mask
from .lib.queries import picked
from .lib.robots import render_private

LATEST_OBSERVATIONS = 4
# Zones a species' page lists, and gifts a species' or garden's page lists,
# the largest first: a common species is planted in thousands of zones at
# 300 gardens, and gifts keep coming (docs/PERFORMANCE.md, issue 13).
SPECIES_ZONES = 12
LISTED_GIFTS = 6
LATEST_ARTWORKS = 4
LARGEST_GIFTS = 6
# Garden cards on the home page; /gardens/ lists them all.
HOME_GARDENS = 6
# "Find my sign-up": how long a proven phone stays proven in that browser's
# session (its POSTs are rate limited by the rule "find").
FIND_SESSION_KEY = "find_signups"
VERIFIED_FOR = dt.timedelta(minutes=30)
# Seconds the busy page asks a browser to wait before sending again.
BUSY_RETRY_AFTER = 5
# PostgreSQL restarting for an update takes some seconds, stopped longer.
UNAVAILABLE_RETRY_AFTER = 30


def _next_events():
    """Published events still to come, soonest first, with seats and queue."""
    return Event.objects.published().upcoming().with_queue()


def _latest_artworks():
    """The works most recently let into the gallery, featured or not."""
    return Artwork.objects.public().order_by("-reviewed_at", "-pk")[:LATEST_ARTWORKS]


@require_safe
@cached_page("gardens", "plantings", "events", "artworks")
def home(request):
    day = today()
    # One query for both: what is in bloom, and out of season what comes
    # next (next_to_bloom reads the rows already fetched).
    species = ledger.with_bloom_signals(Species.objects.all(), day.year)
    blooming = [s for s in species if s.is_in_bloom(day.month)]
    next_month, upcoming = (
        (None, []) if blooming else species.next_to_bloom(after=day.month)
    )
    # The first gardens as cards; the figures of all, on each card's row.
    cards = Garden.objects.for_cards().with_totals().order_by("position", "name")
    gardens = list(ledger.with_planted_totals(cards)[:HOME_GARDENS])
    first = gardens[0] if gardens else None
    figures = {
        "garden_count": first.garden_total if first else 0,
        "zone_count": first.zone_total if first else 0,
        "area_m2": first.area_m2_total if first else 0,
        "planted": ledger.total_planted_of(first),
    }
    ctx = {
        "next_event": _next_events().first(),
        "artworks": _latest_artworks(),
        "gifts": ledger.largest_gifts(LARGEST_GIFTS),
        "gardens": gardens,
        "blooming": blooming,
        "next_month": next_month,
        "upcoming": upcoming,
        "month": day.month,
        "figures": figures,
        "today": day,
    }
    return render(request, "gardens/home.html", ctx)


@require_safe
@cached_page("gardens", "plantings", "events")
def garden_detail(request, slug):
    """
    One garden with its zones, species, gifts, events and observations. Six
    queries: the garden; its zones; every species with its figures here,
    from which the page picks the garden's species, its planted table and
    the species of its flowers, zones and gifts (keys_of, no prefetch);
    the gifts; the events; the observations.
    """
    gardens = (
        Garden.objects.select_related("community").with_figures().with_flower_keys()
    )
    garden = get_object_or_404(gardens, slug=slug)
    species = list(ledger.species_for_garden(garden))
    zones = list(garden.zones.with_species_keys())
    for zone in zones:
        zone.planned = picked(zone.species_keys, species)
    gifts, more_gifts = first_rows(
        ledger.with_species_keys(ledger.gifts_to(zone__garden=garden)), LISTED_GIFTS
    )
    for gift in gifts:
        gift.pick_species(species)
    observations = Observation.objects.latest_first().filter(zone__garden=garden)
    ctx = {
        "garden": garden,
        "flowers": picked(garden.flower_keys, species),
        "zones": zones,
        "species_list": [s for s in species if s.in_garden],
        "planted": [s for s in species if s.planted],
        "gifts": gifts,
        "more_gifts": more_gifts,
        "observations": observations[:LATEST_OBSERVATIONS],
        "events": _next_events().filter(gardens=garden),
        "month": today().month,
    }
    return render(request, "gardens/garden_detail.html", ctx)


@require_safe
@cached_page("gardens", "plantings")
def zone_detail(request, slug, code):
    zones = Zone.objects.select_related("garden__community")
    zone = get_object_or_404(zones, garden__slug=slug, code=code)
    day = today()
    observations = Observation.objects.latest_first().filter(zone=zone)
    ctx = {
        "zone": zone,
        "species_list": ledger.with_bloom_signals(zone.species.all(), day.year, zone),
        "plantings": Planting.objects.with_sources().filter(zone=zone),
        "observations": observations[:LATEST_OBSERVATIONS],
        "month": day.month,
    }
    return render(request, "gardens/zone_detail.html", ctx)


@require_safe
@cached_page("gardens", "plantings")
def species_detail(request, slug):
    day = today()
    signals = ledger.with_bloom_signals(Species.objects.all(), day.year)
    species = get_object_or_404(signals, slug=slug)
    zones, more_zones = first_rows(
        species.zones.select_related("garden").order_by("garden", "code"),
        SPECIES_ZONES,
    )
    planted, more_planted = first_rows(
        ledger.with_planted(
            Zone.objects.select_related("garden"), species=species
        ).order_by("-planted", "garden", "code"),
        SPECIES_ZONES,
    )
    gifts, more_gifts = first_rows(ledger.gifts_to(species=species), LISTED_GIFTS)
    observations = Observation.objects.latest_first().filter(species=species)
    ctx = {
        "species": species,
        "zones": zones,
        "more_zones": more_zones,
        "planted": planted,
        "more_planted": more_planted,
        "gifts": gifts,
        "more_gifts": more_gifts,
        "observations": observations[:LATEST_OBSERVATIONS],
        "month": day.month,
        "in_bloom": species.is_in_bloom(day.month),
    }
    return render(request, "gardens/species_detail.html", ctx)


@require_safe
@cached_page("events", "gardens", "plantings")
def event_detail(request, slug):
    """
    The event page with its sign-up form; once the day is over, what it
    achieved instead: attendance (events) and what was planted (plantings).
    """
    event = get_object_or_404(public_events(), slug=slug)
    results = None
    if event.signup_state() == Event.SignupState.OVER:
        results = {**event.attendance(), **ledger.planted_at_event(event)}
    return render_detail(request, event, SignupForm(event=event), results=results)


def _find_state(request):
    """
    The session's "find my sign-up" state: {"phone": +86…} once a code was
    asked for, with "verified_until" (a POSIX time) once it was proven. A
    proof past its time is forgotten here.
    """
    state = request.session.get(FIND_SESSION_KEY) or {}
    until = state.get("verified_until")
    if until is not None and until <= timezone.now().timestamp():
        del request.session[FIND_SESSION_KEY]
        return {"expired": True}
    return state


def _render_find(
    request, *, state, phone_form=None, code_form=None, resend_error="", status=200
):
    """
    The page at its step: the phone form, the code form, or (proven) the
    phone's active sign-ups and works. Queries when proven: the sign-ups
    with their events, the events' gardens, the works with their calls.
    """
    phone = state.get("phone")
    ctx = {
        "masked_phone": mask(phone) if phone else "",
        "expired": "expired" in state,
        "verified_minutes": int(VERIFIED_FOR.total_seconds() // 60),
    }
    if state.get("verified_until"):
        ctx["step"] = "list"
        signups = Signup.objects.active().of_phone(phone)
        ctx["signups"] = signups.prefetch_related("event__gardens")
        ctx["artworks"] = Artwork.objects.of_phone(phone)
        # The list links to tickets and status pages: private, like them.
        return render_private(request, "events/find_signups.html", ctx, status=status)
    elif phone and phone_form is None:
        ctx["step"] = "code"
        ctx["form"] = code_form or FindCodeForm()
        ctx["resend_error"] = resend_error
        ctx["minutes"] = int(services.CODE_LIFETIME.total_seconds() // 60)
    else:
        ctx["step"] = "phone"
        ctx["form"] = phone_form or FindPhoneForm()
    return render(request, "events/find_signups.html", ctx, status=status)


def _back_to_find():
    return HttpResponseRedirect(reverse("events:find_signups"), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def find_signups(request):
    """
    Find my sign-up (DESIGN §4): a phone, then the code texted to it, then
    that phone's active sign-ups and works with their links, for
    VERIFIED_FOR in this browser's session only.

    POST phone: send a code (services.send_code), 303 back. POST code:
    check it (services.check_code), 303 back to the list. POST resend: a
    new code for the session's phone. POST restart: forget the phone.
    Errors re-render the step with the form as typed: 422 for what the
    person can fix, 429 past a rate limit (per client network here, rule
    "find", counting each POST of both steps; per phone in send_code).
    Nothing tells whether a phone has sign-ups before its code is proven.
    """
    state = _find_state(request)
    if request.method != "POST":
        return _render_find(request, state=state)
    limit = Limit("find", request)
    # Past the limit, each step shows this instead of doing anything.
    over_limit = None if limit.take() else too_many_attempts(limit)
    if "restart" in request.POST:
        request.session.pop(FIND_SESSION_KEY, None)
        return _back_to_find()
    if "code" in request.POST:
        # Without a phone the session has ended: start again.
        if not state.get("phone"):
            return _back_to_find()
        return _check_code(request, state, over_limit)
    if "resend" in request.POST and state.get("phone"):
        return _resend_code(request, state, over_limit)
    return _send_code(request, FindPhoneForm(request.POST), over_limit)


def _send_code(request, form, over_limit):
    render_form = partial(_render_find, request, state={})
    if over_limit:
        return refuse_over_rate_limit(
            form,
            over_limit,
            lambda form, status: render_form(phone_form=form, status=status),
        )
    if not form.is_valid():
        return render_form(phone_form=form, status=422)
    phone = form.cleaned_data["phone"]
    try:
        services.send_code(phone=phone, language=request.LANGUAGE_CODE)
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return render_form(phone_form=form, status=429)
    request.session[FIND_SESSION_KEY] = {"phone": phone}
    return _back_to_find()


def _resend_code(request, state, over_limit):
    """A new code for the session's phone; a refusal shows on the code step."""
    form = FindPhoneForm(
        {"phone": state["phone"], "website": request.POST.get("website", "")}
    )
    if over_limit:
        error, status = over_limit, 429
    elif not form.is_valid():
        error, status = form.errors.get("__all__", [""])[0], 422
    else:
        try:
            services.send_code(phone=state["phone"], language=request.LANGUAGE_CODE)
        except ValidationError as refusal:
            error, status = refusal.messages[0], 429
        else:
            return _back_to_find()
    return _render_find(request, state=state, resend_error=error, status=status)


def _check_code(request, state, over_limit):
    form = FindCodeForm(request.POST)
    render_form = partial(_render_find, request, state=state)
    if over_limit:
        return refuse_over_rate_limit(
            form,
            over_limit,
            lambda form, status: render_form(code_form=form, status=status),
        )
    if not form.is_valid():
        return render_form(code_form=form, status=422)
    phone = state["phone"]
    try:
        services.check_code(phone=phone, code=form.cleaned_data["code"])
    except ValidationError as refusal:
        form.add_error("code", refusal)
        return render_form(code_form=form, status=422)
    # A new session key for the proven session: a key known before the
    # proof (a shared or planted cookie) is worth nothing after it.
    request.session.cycle_key()
    until = timezone.now() + VERIFIED_FOR
    request.session[FIND_SESSION_KEY] = {
        "phone": phone,
        "verified_until": until.timestamp(),
    }
    return _back_to_find()


@require_safe
@cached_page("gardens", "plantings", "events", "artworks", "feedback")
def dashboard(request):
    """
    The programme dashboard (绿色幸福指数): figures only, no personal data.
    A fixed number of queries (tongyun.dashboard.figures).
    """
    return render(request, "dashboard.html", programme.page(programme.figures()))


@require_safe
def dashboard_xlsx(request, site):
    """
    The dashboard's figures as a workbook, for staff who may
    (tongyun.dashboard.may_download); 403 for others, community staff
    among them. The admin site (tongyun.sites) has checked the login and
    its second step.
    """
    if not programme.may_download(request.user):
        raise PermissionDenied
    content = programme.workbook(programme.figures())
    day = today()
    response = HttpResponse(
        content,
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tongyun-dashboard-{day:%Y-%m-%d}.xlsx"'
    )
    return response


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the database answers a query; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """
    The 500 page (handler500), except when the error was SQLite giving up on
    its write lock (busy with other writers past its timeout), or PostgreSQL
    out of reach (stopped, restarting: db.is_unavailable), wherever it was
    met (a middleware loading the session or the user, the view, a lazy
    template): then the kind 503 page with Retry-After, since nothing was
    committed and sending again in a moment works. Services that keep a
    form on their own busy page (events' sign-up) never get here. Rendered,
    like Django's 500 page, without a request context: no query, no context
    processor.
    """
    error = sys.exception()
    if db.is_locked(error):
        return _unavailable(BUSY_RETRY_AFTER)
    if db.is_unavailable(error):
        return _unavailable(UNAVAILABLE_RETRY_AFTER, away=True)
    return defaults.server_error(request)


def _unavailable(retry_after, *, away=False):
    """503 with Retry-After and the kind page; away when PostgreSQL is."""
    page = loader.get_template("503.html").render({"away": away})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response
