"""
Public pages of feedback: the suggestion form, a suggestion's photo, and the
survey. The board and a suggestion's status page show what answered it
(plantings, events): the site layer composes them (tongyun.suggestion_views).
"""

import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from gardens.access import reaches
from gardens.models import Garden, Species, Zone
from tongyun.lib import history
from tongyun.lib.forms import refuse_over_rate_limit, refuse_storage_unavailable
from tongyun.lib.limits import Limit, too_many_attempts
from tongyun.lib.pagecache import cached_page, private_posts
from tongyun.lib.storage import (
    PRIVATE_CACHE,
    PUBLIC_CACHE,
    StorageUnavailable,
    jpeg_response,
)

from . import services
from .forms import SuggestionForm, SurveyForm
from .models import SUGGESTION_PATH, Suggestion, SurveyRound

# The survey's browser id: random, signed, kept two years, never read by
# scripts; the database keeps only its keyed hash (services.browser_digest).
BROWSER_COOKIE = "tongyun_browser"
BROWSER_COOKIE_SALT = "feedback.survey.cookie"
BROWSER_COOKIE_AGE = 2 * 365 * 24 * 3600
# The suggestion form's button that shows the chosen garden's zones.
SHOW_ZONES = "show_zones"


def _initial(query):
    """
    What the form starts with, from the query string of a link (a zone's
    or a species' page): ?zone=<pk> (and its garden), ?garden=<pk>,
    ?category=<value>, ?species=<slug> (a "missing plants" suggestion about
    it). Values that name nothing are ignored. At most three queries.
    """
    initial = {}
    if (category := query.get("category")) in Suggestion.Category.values:
        initial["category"] = category
    garden = query.get("garden", "")
    gardens = Garden.objects.filter(pk=garden) if garden.isdigit() else None
    if gardens is not None and (found := gardens.first()):
        initial["garden"] = found
    zone = query.get("zone", "")
    zones = (
        Zone.objects.select_related("garden").filter(pk=zone)
        if zone.isdigit()
        else None
    )
    if zones is not None and (found := zones.first()):
        initial["zone"] = found
        initial["garden"] = found.garden
    slug = query.get("species", "")
    if slug and (found := Species.objects.filter(slug=slug).first()):
        initial["species"] = found
        initial.setdefault("category", Suggestion.Category.PLANTS)
    return initial


def _render_form(request, form, *, status=200):
    form.ask_for_the_file_again()
    ctx = {
        "form": form,
        "about_species": form.about_species,
        "show_zones": SHOW_ZONES,
    }
    return render(request, "feedback/suggestion_form.html", ctx, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@cached_page("gardens")
@private_posts
def suggestion_new(request):
    """
    The suggestion form, pre-filled from the query string (_initial); a
    POST sends it through services.submit_suggestion.

    Success is a 303 to the suggestion's private status page. Errors show
    the form again as typed (a photo must be chosen again): 422 for what
    the person can fix, 429 past a rate limit, 503 with Retry-After when
    storage cannot take the photo; nothing is written then.
    Rate limits per client network: suggestions sent ("suggest"), and
    forms refused ("refused"), apart and more generously.
    """
    if request.method != "POST":
        return _render_form(request, SuggestionForm(initial=_initial(request.GET)))
    if SHOW_ZONES in request.POST:
        # The garden was chosen (without a script): the form again as
        # typed, now offering that garden's zones; nothing checked or sent.
        typed = {name: request.POST.get(name, "") for name in ("text", "phone")}
        form = SuggestionForm(initial={**typed, **_initial(request.POST)})
        return _render_form(request, form)

    form = SuggestionForm(request.POST, request.FILES)
    render_form = partial(_render_form, request)
    refused = Limit("refused", request, "suggestion")
    if refused.reached():
        return refuse_over_rate_limit(form, too_many_attempts(refused), render_form)
    if not form.is_valid():
        refused.take()
        return render_form(form, status=422)
    sent = Limit("suggest", request)
    if not sent.take():
        return refuse_over_rate_limit(form, too_many_attempts(sent), render_form)
    data = form.cleaned_data
    try:
        with history.by_visitor(services.SUBMITTED):
            suggestion = services.submit_suggestion(
                category=data["category"],
                text=data["text"],
                garden=data["garden"],
                zone=data["zone"],
                species=data["species"],
                photo=data["photo"],
                phone=data["phone"],
            )
    except StorageUnavailable:
        sent.give_back()
        return refuse_storage_unavailable(form, render_form)
    except ValidationError as refusal:
        sent.give_back()
        refused.take()
        form.add_error(None, refusal)
        return render_form(form, status=422)
    return HttpResponseRedirect(suggestion.get_status_url(), status=303)


def may_see_as_staff(user, suggestion):
    """Whether user is staff who may see suggestion in the admin."""
    return user.has_perm("feedback.view_suggestion") and reaches(
        user, suggestion, SUGGESTION_PATH
    )


@require_safe
def photo(request, pk):
    """
    A suggestion's stored photo (JPEG), checked first. Anyone gets it once
    the suggestion is accepted or done (caches may keep it for a day);
    the submitter (?token=) and staff who reach the suggestion always,
    uncached. Anything else is a 404, as if there were no photo.
    """
    suggestion = get_object_or_404(Suggestion, pk=pk)
    # Ask who it is only for a photo not public: a public one must not vary
    # by cookie, or shared caches could not keep it.
    if suggestion.photo_is_public:
        cache_control = PUBLIC_CACHE
    elif constant_time_compare(
        request.GET.get("token", ""), suggestion.token
    ) or may_see_as_staff(request.user, suggestion):
        cache_control = PRIVATE_CACHE
    else:
        raise Http404
    return jpeg_response(
        suggestion.photo,
        filename=f"suggestion-{suggestion.pk}.jpg",
        cache_control=cache_control,
    )


# --- The survey ---------------------------------------------------------


def browser_id(request):
    """The browser's id from its signed cookie, or None."""
    try:
        return request.get_signed_cookie(
            BROWSER_COOKIE, default=None, salt=BROWSER_COOKIE_SALT
        )
    except BadSignature:
        return None


def _keep_browser_id(response, value):
    response.set_signed_cookie(
        BROWSER_COOKIE,
        value,
        salt=BROWSER_COOKIE_SALT,
        max_age=BROWSER_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


def _render_survey(request, survey_round, form, *, status=200):
    ctx = {"round": survey_round, "form": form}
    return render(request, "feedback/survey.html", ctx, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def survey(request):
    """
    The open round of the survey (the newest open), one answer a browser:
    the browser is known by a random id in a signed cookie, set on the
    first visit. A POST answers through services.answer_survey and shows
    the thanks page; a second answer, or two tabs racing, is refused
    plainly (409). No open round: a friendly page. Rate limits per client
    network: answers ("survey") and refused forms ("refused").
    """
    survey_round = SurveyRound.objects.open().order_by("-opens_at").first()
    if survey_round is None:
        return render(request, "feedback/survey_closed.html")
    known = browser_id(request)
    browser = known or secrets.token_urlsafe(18)
    if request.method != "POST":
        if services.has_answered(survey_round=survey_round, browser_id=known):
            response = render(request, "feedback/survey_answered.html")
        else:
            response = _render_survey(request, survey_round, SurveyForm())
        return response if known else _keep_browser_id(response, browser)

    form = SurveyForm(request.POST)
    render_form = partial(_render_survey, request, survey_round)
    refused = Limit("refused", request, "survey")
    if refused.reached():
        return refuse_over_rate_limit(form, too_many_attempts(refused), render_form)
    if not form.is_valid():
        refused.take()
        response = render_form(form, status=422)
        return response if known else _keep_browser_id(response, browser)
    answers = Limit("survey", request)
    if not answers.take():
        return refuse_over_rate_limit(form, too_many_attempts(answers), render_form)
    try:
        services.answer_survey(
            survey_round=survey_round,
            browser_id=browser,
            scores=form.scores,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as refusal:
        answers.give_back()
        if refusal.code == "answered_already":
            return render(request, "feedback/survey_answered.html", status=409)
        form.add_error(None, refusal)
        return render_form(form, status=422)
    response = HttpResponseRedirect(reverse("feedback:survey_thanks"), status=303)
    return response if known else _keep_browser_id(response, browser)


@require_safe
def survey_thanks(request):
    return render(request, "feedback/survey_thanks.html")
