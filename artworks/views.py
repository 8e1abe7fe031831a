"""Public pages of artworks: gallery, one work, submission, status, images."""

from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from gardens.access import reaches
from tongyun.lib import history, posters
from tongyun.lib.forms import refuse_over_rate_limit, refuse_storage_unavailable
from tongyun.lib.limits import Limit, too_many_attempts
from tongyun.lib.pagecache import cached_page, private_posts
from tongyun.lib.pages import page_context
from tongyun.lib.robots import private_page
from tongyun.lib.storage import (
    PRIVATE_CACHE,
    PUBLIC_CACHE,
    StorageUnavailable,
    jpeg_response,
)

from . import services
from .forms import ArtworkForm
from .models import ARTWORK_PATH, Artwork, Call, Category

PER_PAGE = 12
# The page's accent and flower mark: the programme's call is the peony's.
THEME = "peony"
# Which stored file each image address serves.
IMAGE_FIELDS = {"display": "image", "thumb": "thumbnail"}


def _theme(call):
    """The accent of the call's flower, or the peony's; no query once
    call.species is selected."""
    return call.species.theme if call.species_id else THEME


@require_safe
@cached_page("artworks")
def gallery(request):
    """
    Approved and featured works, featured first, 12 a page, by category.

    Queries: the open call, the count of works, the page of works (with
    their calls).
    """
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    works = Artwork.objects.public().select_related("call")
    if category:
        works = works.filter(category=category)
    ctx = {
        "open_call": Call.objects.open().first(),
        "category": category,
        "categories": Category.choices,
        **page_context(
            works,
            request.GET.get("page"),
            per_page=PER_PAGE,
            filters={"category": category},
        ),
        "theme": THEME,
    }
    return render(request, "artworks/gallery.html", ctx)


def may_preview(user, artwork):
    """Whether user is staff who may see artwork before it is public."""
    return user.has_perm("artworks.view_artwork") and reaches(
        user, artwork, ARTWORK_PATH
    )


@require_safe
@cached_page("artworks")
def artwork_detail(request, pk):
    """
    One work. Anyone sees approved and featured works; staff who may view
    works in the admin preview any of their communities' (may_preview).

    One query: the work with its call and the call's flower (and, for a
    signed-in person, the session, the user and their permissions; for
    community staff previewing, their communities).
    """
    works = Artwork.objects.select_related("call__species")
    artwork = get_object_or_404(works, pk=pk)
    if not artwork.is_public and not may_preview(request.user, artwork):
        raise Http404
    ctx = {"artwork": artwork, "call": artwork.call, "theme": _theme(artwork.call)}
    return render(request, "artworks/artwork_detail.html", ctx)


@require_safe
def artwork_poster(request, pk):
    """
    A public work's share poster (PNG) in the visitor's language: its
    picture, title, artist (as credit() says it), category, call and the
    QR code of its page. Other works: 404. One query: the work with its
    call and the call's flower; the picture is read only to draw.
    """
    works = Artwork.objects.public().select_related("call__species")
    artwork = get_object_or_404(works, pk=pk)
    text = {
        "title": artwork.title,
        "facts": [
            " · ".join([artwork.credit, artwork.get_category_display()]),
            str(artwork.call.title_i18n),
        ],
        "url": settings.SITE_URL + artwork.get_absolute_url(),
        "site_name": gettext("Tongyun Garden City"),
        "caption": [
            gettext("Press and hold the QR code"),
            gettext("to see the work"),
        ],
        "accent": _theme(artwork.call),
    }
    picture = artwork.image if artwork.has_picture else None
    return posters.poster_response(
        request,
        drawn_from=[get_language(), picture, *text.values()],
        draw=partial(posters.draw_with_picture, picture, **text),
    )


@require_safe
def image(request, pk, size):
    """
    The stored JPEG of a work (size "display" or "thumb"), checked first.

    Anyone gets a public work's images, which caches may keep for a day.
    Staff who may view works in the admin and whoever holds the work's
    status token (as ?token=) also get a pending or rejected work's, which
    nobody may cache. Anything else is a 404, as if the work did not exist.
    """
    if size not in IMAGE_FIELDS:
        raise Http404
    artwork = get_object_or_404(Artwork, pk=pk)
    # Look at who asks only for a work that is not public: a public image
    # must not vary by cookie, or shared caches could not keep it.
    if artwork.is_public:
        cache_control = PUBLIC_CACHE
    elif may_preview(request.user, artwork) or constant_time_compare(
        request.GET.get("token", ""), artwork.token
    ):
        cache_control = PRIVATE_CACHE
    else:
        raise Http404
    return jpeg_response(
        getattr(artwork, IMAGE_FIELDS[size]),
        filename=f"artwork-{artwork.pk}-{size}.jpg",
        cache_control=cache_control,
    )


def _render_form(request, call, form, *, status=200):
    form.ask_for_the_file_again()
    ctx = {
        "call": call,
        "call_is_open": call.is_open(),
        "form": form,
        "theme": THEME,
    }
    return render(request, "artworks/artwork_submit.html", ctx, status=status)


def _render_closed(request, *, status=200):
    """No call takes works: say when the next opens, or when the last closed."""
    now = timezone.now()
    ctx = {
        "next_call": Call.objects.filter(opens_at__gt=now).order_by("opens_at").first(),
        "last_call": Call.objects.filter(closes_at__lt=now)
        .order_by("-closes_at")
        .first(),
        "theme": THEME,
    }
    return render(request, "artworks/submissions_closed.html", ctx, status=status)


def _works_refusal(limit):
    minutes = limit.retry_minutes()
    return ngettext(
        "This network has sent as many works to this call as one network may "
        "for now ({count}). Please try again in {minutes} minute.",
        "This network has sent as many works to this call as one network may "
        "for now ({count}). Please try again in {minutes} minutes.",
        minutes,
    ).format(count=limit.count, minutes=minutes)


@require_http_methods(["GET", "HEAD", "POST"])
@cached_page("artworks")
@private_posts
def artwork_submit(request):
    """
    The form for the open call; a POST submits through services.submit.

    Success is a 303 to the work's private status page. Errors show the
    form again as typed (the file must be chosen again): 422 for what the
    person can fix or for a call that closed meanwhile, 429 past a rate
    limit, 503 with Retry-After when storage cannot take the picture
    (full or unreachable). Nothing is written then.

    Rate limits, per client network (tongyun.lib.limits): works accepted
    for this call (artwork_works), and, apart from them, forms refused
    (refused); a teacher sending a class's works shares one network.
    """
    call = Call.objects.open().first()
    if request.method != "POST":
        if call is None:
            return _render_closed(request)
        return _render_form(request, call, ArtworkForm(call=call))

    # A form sent just after its call closed comes back with what was typed.
    call = call or Call.objects.filter(opens_at__lte=timezone.now()).first()
    if call is None:
        return _render_closed(request, status=422)
    form = ArtworkForm(request.POST, request.FILES, call=call)
    render_form = partial(_render_form, request, call)
    refused = Limit("refused", request, "artwork")
    if refused.reached():
        return refuse_over_rate_limit(form, too_many_attempts(refused), render_form)
    if not call.is_open():
        form.add_error(
            None,
            ValidationError(
                gettext("This call is not taking works now."), code="call_closed"
            ),
        )
        refused.take()
        return render_form(form, status=422)
    if not form.is_valid():
        refused.take()
        return render_form(form, status=422)
    data = form.cleaned_data
    works = Limit("artwork_works", request, "call", call.pk)
    if not works.take():
        return refuse_over_rate_limit(form, _works_refusal(works), render_form)
    try:
        with history.by_visitor(services.SUBMITTED):
            artwork = services.submit(
                call=call,
                title=data["title"],
                artist_name=data["artist_name"],
                category=data["category"],
                image=data["image"],
                phone=data["phone"],
                description=data["description"],
                community=data["community"],
                class_name=data["class_name"],
                is_minor=data["is_minor"],
                guardian_consent=data["guardian_consent"],
                age_group=data["age_group"],
            )
    except StorageUnavailable:
        works.give_back()
        return refuse_storage_unavailable(form, render_form)
    except ValidationError as refusal:
        works.give_back()
        refused.take()
        # Field-keyed refusals go next to their fields, the rest on top.
        form.add_error(None, refusal)
        return render_form(form, status=422)
    return HttpResponseRedirect(artwork.get_status_url(), status=303)


@private_page
@require_safe
@never_cache
def artwork_status(request, token):
    """
    The submitter's private page: whoever holds the link sees the work,
    its review and the reviewers' note. One query.
    """
    artwork = get_object_or_404(Artwork.objects.select_related("call"), token=token)
    ctx = {"artwork": artwork, "call": artwork.call, "theme": THEME}
    return render(request, "artworks/artwork_status.html", ctx)
