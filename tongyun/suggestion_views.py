"""
The suggestions board and a suggestion's private status page: what the
feedback app offers (Suggestion.objects.on_board()), with what answered
each suggestion (SuggestionOutcome, which links plantings and events that
feedback may not know), composed here in the site layer.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from feedback import services
from feedback.forms import RatingForm
from feedback.models import Suggestion
from gardens.models import Garden

from .lib.forms import refuse_over_rate_limit
from .lib.limits import Limit, too_many_attempts
from .lib.pagecache import cached_page
from .lib.pages import page_context
from .lib.phones import mask
from .lib.robots import private_page
from .models import SuggestionOutcome

PER_PAGE = 10


def with_outcomes(suggestions):
    """suggestions with what answered each, for a link: one query more."""
    outcomes = SuggestionOutcome.objects.select_related(
        "event", "planting__zone__garden", "planting__species"
    ).order_by("pk")
    return suggestions.prefetch_related(Prefetch("outcomes", queryset=outcomes))


@require_safe
@cached_page("feedback", "tongyun", "gardens", "plantings", "events")
def suggestion_board(request):
    """
    Residents' suggestions with the staff's replies, newest first, ten a
    page, filtered by garden (?garden=<slug>) and status (?status=<value>);
    no personal data. Queries: the gardens (for the filter), the count, the
    page of suggestions with their places, what answered them.
    """
    gardens = list(Garden.objects.order_by("name"))
    garden = request.GET.get("garden", "")
    if garden not in {g.slug for g in gardens}:
        garden = ""
    status = request.GET.get("status", "")
    if status not in Suggestion.Status.values:
        status = ""
    rows = with_outcomes(Suggestion.objects.on_board(garden_slug=garden, status=status))
    ctx = {
        **page_context(
            rows,
            request.GET.get("page"),
            per_page=PER_PAGE,
            filters={"garden": garden, "status": status},
        ),
        "gardens": gardens,
        "garden": garden,
        "statuses": Suggestion.Status.choices,
        "status": status,
    }
    return render(request, "feedback/board.html", ctx)


def _render_status(request, suggestion, form=None, *, status=200):
    ctx = {
        "suggestion": suggestion,
        "outcomes": list(suggestion.outcomes.all()),
        "masked_phone": mask(suggestion.phone) if suggestion.phone else "",
        "form": form or (RatingForm() if suggestion.may_be_rated else None),
    }
    response = render(request, "feedback/suggestion_status.html", ctx, status=status)
    # A secret link: never sent on to another site, never kept by a cache.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _by_token(token):
    rows = with_outcomes(Suggestion.objects.with_places())
    return get_object_or_404(rows, token=token)


@private_page
@require_safe
@never_cache
def suggestion_status(request, token):
    """
    The submitter's private page: what they sent (the phone masked), its
    status, the public reply, what answered it, and once it is done or
    declined the rating form. Two queries: the suggestion with its places,
    what answered it.
    """
    return _render_status(request, _by_token(token))


@private_page
@require_POST
@never_cache
def suggestion_rate(request, token):
    """
    The rating of a closed suggestion, once (services.rate_suggestion): 303
    back to the status page; refused plainly (422) when rated already or
    not closed, 429 past the rate limit of refused forms.
    """
    suggestion = _by_token(token)
    form = RatingForm(request.POST)
    render_page = partial(_render_status, request, suggestion)
    refused = Limit("refused", request, "rating")
    if refused.reached():
        return refuse_over_rate_limit(form, too_many_attempts(refused), render_page)
    if not form.is_valid():
        refused.take()
        return render_page(form, status=422)
    try:
        services.rate_suggestion(
            suggestion=suggestion, rating=form.cleaned_data["rating"]
        )
    except ValidationError as refusal:
        refused.take()
        form.add_error(None, refusal)
        suggestion.refresh_from_db()
        return render_page(form, status=422)
    return HttpResponseRedirect(suggestion.get_status_url(), status=303)
