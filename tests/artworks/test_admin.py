"""Staff moderate artworks in the admin: status, reviewer, notes, files, phones."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.messages.constants import SUCCESS
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artworks.models import Artwork, Call
from tests.factories import ArtworkFactory, CallFactory, reach_every_community
from tongyun.lib.admin import PhoneAdminMixin

pytestmark = pytest.mark.django_db

ARTWORKS = reverse("admin:artworks_artwork_changelist")
CALLS = reverse("admin:artworks_call_changelist")
# The list opens on the works waiting for review; this shows them all.
ALL_WORKS = ARTWORKS + "?status__exact=all"
PENDING, APPROVED, REJECTED, FEATURED = "pending", "approved", "rejected", "featured"
# Rejecting asks for a note first; this answers that page (with no note).
CONFIRM = {"apply": "yes", "moderation_note": ""}


def storage():
    return Artwork._meta.get_field("image").storage


def staff_client(django_user_model, username, *extra_perms):
    """A client logged in as staff who moderate artworks (every artworks
    permission but artworks.view_personal_data), plus extra_perms, each
    "app_label.codename"."""
    user = django_user_model.objects.create_user(username, is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="artworks").exclude(
        codename="view_personal_data"
    )
    for name in extra_perms:
        app_label, codename = name.split(".")
        perms |= Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    user.user_permissions.set(perms)
    reach_every_community(user)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def clerk_client(django_user_model):
    """Staff without artworks.view_personal_data."""
    return staff_client(django_user_model, "clerk")


@pytest.fixture
def trusted_client(django_user_model):
    """Staff (not superusers) granted artworks.view_personal_data."""
    return staff_client(django_user_model, "trusted", "artworks.view_personal_data")


@pytest.fixture
def volunteer_desk_client(django_user_model):
    """Staff who may see volunteers' phones (events.view_personal_data) but
    not submitters'."""
    return staff_client(django_user_model, "desk", "events.view_personal_data")


def pending(**kwargs):
    return ArtworkFactory(status=PENDING, reviewed_at=None, **kwargs)


def action_post(action, artworks):
    return {
        "action": action,
        "index": "0",
        "select_across": "0",
        "_selected_action": [a.pk for a in artworks],
    }


def change_url(artwork):
    return reverse("admin:artworks_artwork_change", args=[artwork.pk])


def change_post(artwork, **changes):
    """The change form of artwork as the admin renders it, with changes."""
    return {
        "status": artwork.status,
        "moderation_note": artwork.moderation_note,
        "title": artwork.title,
        "category": artwork.category,
        "artist_name": artwork.artist_name,
        "class_name": artwork.class_name,
        "community": artwork.community,
        "description": artwork.description,
    } | changes


def call_post(call, **changes):
    def split(prefix, value):
        local = timezone.localtime(value)
        return {
            f"{prefix}_0": f"{local:%Y-%m-%d}",
            f"{prefix}_1": f"{local:%H:%M:%S}",
        }

    data = {
        "title": call.title,
        "title_en": call.title_en,
        "slug": call.slug,
        "organiser": call.organiser,
        "organiser_en": "",
        "theme": call.theme,
        "theme_en": "",
        "species": "",
        "description": "",
        "description_en": "",
        "categories": call.category_values,
        "max_works_per_phone": str(call.max_works_per_phone),
    }
    for field in ["opens_at", "closes_at"]:
        data |= split(field, getattr(call, field))
    return data | changes


# --- The list of works ------------------------------------------------------


def test_artwork_list_shows_thumbnails_through_the_image_view(admin_client):
    artwork = ArtworkFactory()

    response = admin_client.get(ALL_WORKS)

    html = response.content.decode()
    thumb = reverse("artworks:image", args=[artwork.pk, "thumb"])
    assert f'<img src="{thumb}" alt="" width="48" height="36" loading="lazy"' in html


def test_artwork_thumbnails_fit_a_square_big_enough_to_judge(admin_client):
    artwork = ArtworkFactory()
    Artwork.objects.filter(pk=artwork.pk).update(
        thumbnail_width=480, thumbnail_height=360
    )

    response = admin_client.get(ALL_WORKS)

    assert 'width="120" height="90"' in response.content.decode()


def test_artwork_list_filters_by_call_category_status_and_age(admin_client):
    call = CallFactory()
    wanted = pending(call=call, category="photography")
    pending(call=call, category="painting")
    pending(category="photography")  # another call
    ArtworkFactory(call=call, category="photography")

    response = admin_client.get(
        ARTWORKS,
        {
            "call__id__exact": call.pk,
            "category__exact": "photography",
            "status__exact": PENDING,
            "is_minor__exact": "0",
        },
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_artwork_list_offers_filters_by_status_category_call_and_age(admin_client):
    # The call filter shows once there is a choice of calls.
    call, other = CallFactory(), CallFactory()
    ArtworkFactory(call=call)

    response = admin_client.get(ARTWORKS)

    html = response.content.decode()
    panel = html[html.index('id="changelist-filter"') :]
    offered = [
        "?status__exact=pending",
        "?category__exact=calligraphy",
        f"?call__id__exact={call.pk}",
        f"?call__id__exact={other.pk}",
        "?is_minor__exact=1",
    ]
    assert [f'href="{query}"' in panel for query in offered] == [True] * 5


@pytest.mark.parametrize("item_count", [1, 30])
def test_artwork_list_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    ArtworkFactory.create_batch(item_count, call=CallFactory(), reviewed_by=None)

    # 6 queries: session, user, the call filter's calls, count, total count,
    # works with their call and reviewer (select_related).
    with django_assert_num_queries(6):
        response = admin_client.get(ALL_WORKS)

    assert len(response.context["cl"].result_list) == item_count


def test_artwork_list_pages_fifty_works_with_actions_above_and_below(admin_client):
    ArtworkFactory.create_batch(51, call=CallFactory())

    first = admin_client.get(ALL_WORKS)
    second = admin_client.get(ALL_WORKS + "&p=2")

    html = first.content.decode()
    rows = [len(r.context["cl"].result_list) for r in (first, second)]
    assert rows == [50, 1]
    assert html.count('class="action-select"') == 50
    # One menu of actions above the works and one below.
    top, bottom = html.index('name="action"'), html.rindex('name="action"')
    assert top < html.index('class="action-select"') < bottom
    assert html.count('name="action"') == 2


# --- Moderating ---------------------------------------------------------------


def test_artwork_list_opens_on_the_works_waiting_for_review(admin_client):
    call = CallFactory()
    waiting = pending(call=call)
    ArtworkFactory(call=call, status=APPROVED)

    default = admin_client.get(ARTWORKS)
    everything = admin_client.get(ARTWORKS, {"status__exact": "all"})

    assert list(default.context["cl"].result_list) == [waiting]
    assert len(everything.context["cl"].result_list) == 2
    panel = default.content.decode().split('id="changelist-filter"')[1]
    assert 'href="?status__exact=all"' in panel


def test_rejecting_asks_for_a_note_to_the_submitters_first(clerk_client):
    chosen = [pending(), pending()]

    response = clerk_client.post(ARTWORKS, action_post("reject", chosen))

    assert response.status_code == 200
    assert "moderation_note" in response.context["form"].fields
    assert [a.status for a in Artwork.objects.all()] == [PENDING, PENDING]
    html = response.content.decode()
    assert all(f'value="{a.pk}"' in html for a in chosen)


def test_rejecting_with_a_note_gives_the_note_to_each_work(clerk_client):
    chosen = [pending(), pending()]
    other = pending()
    data = action_post("reject", chosen) | {
        "apply": "yes",
        "moderation_note": "画面与牡丹主题无关。",
    }

    response = clerk_client.post(ARTWORKS, data)

    assert response.status_code == 302
    for artwork in chosen:
        artwork.refresh_from_db()
        assert (artwork.status, artwork.moderation_note) == (
            REJECTED,
            "画面与牡丹主题无关。",
        )
    other.refresh_from_db()
    assert (other.status, other.moderation_note) == (PENDING, "")


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", APPROVED),
        ("reject", REJECTED),
        ("feature", FEATURED),
        ("back_to_pending", PENDING),
    ],
)
def test_moderation_action_records_status_and_reviewer_of_selected_works(
    clerk_client, action, status
):
    call = CallFactory()
    chosen = [pending(call=call), pending(call=call)]
    other = ArtworkFactory(call=call, status=APPROVED, reviewed_at=None)
    before = timezone.now()

    response = clerk_client.post(ARTWORKS, action_post(action, chosen) | CONFIRM)

    assert response.status_code == 302
    for artwork in chosen:
        artwork.refresh_from_db()
        assert (artwork.status, artwork.reviewed_by) == (status, clerk_client.user)
        assert artwork.reviewed_at >= before
    other.refresh_from_db()
    assert (other.status, other.reviewed_by, other.reviewed_at) == (
        APPROVED,
        None,
        None,
    )
    notes = list(get_messages(response.wsgi_request))
    assert [(m.level, "2" in m.message) for m in notes] == [(SUCCESS, True)]


@pytest.mark.parametrize(
    ("action", "status", "said"),
    [
        (
            "approve",
            APPROVED,
            [
                "1 work approved: it is in the gallery now.",
                "3 works approved: they are in the gallery now.",
            ],
        ),
        (
            "feature",
            FEATURED,
            [
                "1 work featured: it is shown first in the gallery.",
                "3 works featured: they are shown first in the gallery.",
            ],
        ),
        (
            "reject",
            REJECTED,
            [
                "1 work not accepted: it stays out of the gallery.",
                "3 works not accepted: they stay out of the gallery.",
            ],
        ),
        (
            "back_to_pending",
            PENDING,
            [
                "1 work is waiting for review again.",
                "3 works are waiting for review again.",
            ],
        ),
    ],
)
def test_moderation_action_says_how_many_works_changed(
    clerk_client, action, status, said
):
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    call = CallFactory()
    before = REJECTED if status == PENDING else PENDING
    one = [ArtworkFactory(call=call, status=before)]
    three = ArtworkFactory.create_batch(3, call=call, status=before)

    # Following the redirect shows, and so uses up, each time's message.
    pages = [
        clerk_client.post(ALL_WORKS, action_post(action, chosen) | CONFIRM, follow=True)
        for chosen in (one, three)
    ]

    assert [a.status for a in Artwork.objects.all()] == [status] * 4
    assert {a.reviewed_by for a in Artwork.objects.all()} == {clerk_client.user}
    assert [
        [(m.level, m.message) for m in page.context["messages"]] for page in pages
    ] == [[(SUCCESS, said[0])], [(SUCCESS, said[1])]]


def test_changing_status_on_the_change_page_records_the_reviewer(clerk_client):
    artwork = pending()
    before = timezone.now()

    response = clerk_client.post(
        change_url(artwork), change_post(artwork, status=REJECTED)
    )

    assert response.status_code == 302
    artwork.refresh_from_db()
    assert (artwork.status, artwork.reviewed_by) == (REJECTED, clerk_client.user)
    assert artwork.reviewed_at >= before


def test_note_to_the_submitter_is_saved_without_a_review(clerk_client):
    artwork = pending()
    note = "请上传未加边框的原图。"

    clerk_client.post(change_url(artwork), change_post(artwork, moderation_note=note))

    artwork.refresh_from_db()
    assert (artwork.moderation_note, artwork.status) == (note, PENDING)
    assert (artwork.reviewed_by, artwork.reviewed_at) == (None, None)


def test_change_page_shows_the_picture_through_the_image_view(clerk_client):
    artwork = pending()

    response = clerk_client.get(change_url(artwork))

    html = response.content.decode()
    display = reverse("artworks:image", args=[artwork.pk, "display"])
    assert f'<img src="{display}" alt="" width="160" height="120"' in html
    assert 'type="file"' not in html


def test_image_files_are_not_in_the_change_form(clerk_client):
    artwork = pending()
    names = (artwork.image.name, artwork.thumbnail.name)

    response = clerk_client.post(
        change_url(artwork),
        change_post(artwork, image="other.jpg", thumbnail="other.jpg"),
    )

    assert response.status_code == 302
    artwork.refresh_from_db()
    assert (artwork.image.name, artwork.thumbnail.name) == names


def test_work_of_another_category_than_the_call_offers_is_refused(clerk_client):
    artwork = pending(call=CallFactory(categories="painting,photography"))

    response = clerk_client.post(
        change_url(artwork), change_post(artwork, category="calligraphy")
    )

    assert response.context["adminform"].form.errors.keys() == {"category"}
    artwork.refresh_from_db()
    assert artwork.category == "painting"


def test_public_work_links_to_its_page_and_a_pending_one_does_not(clerk_client):
    public, waiting = ArtworkFactory(), pending()

    shown = clerk_client.get(change_url(public)).context["absolute_url"]
    hidden = clerk_client.get(change_url(waiting)).context["has_absolute_url"]

    assert (shown, hidden) == (public.get_absolute_url(), False)


# --- Phones -------------------------------------------------------------------


def test_phone_is_masked_for_staff_without_the_permission(clerk_client):
    artwork = pending(phone="+8613812345678")

    response = clerk_client.get(change_url(artwork))

    html = response.content.decode()
    assert "138****5678" in html
    assert "12345678" not in html
    assert "1234 5678" not in html


def test_phone_is_shown_whole_to_staff_with_the_permission(trusted_client):
    artwork = pending(phone="+8613812345678")

    response = trusted_client.get(change_url(artwork))

    # Kept on one line with no-break spaces.
    assert (
        "138\N{NO-BREAK SPACE}1234\N{NO-BREAK SPACE}5678" in response.content.decode()
    )


def test_events_permission_does_not_show_submitters_phones(volunteer_desk_client):
    artwork = pending(phone="+8613812345678")

    page = volunteer_desk_client.get(change_url(artwork))
    search = volunteer_desk_client.get(ARTWORKS, {"q": "138 1234 5678"})

    html = page.content.decode()
    assert "138****5678" in html
    assert "1234\N{NO-BREAK SPACE}5678" not in html
    assert "12345678" not in html
    assert list(search.context["cl"].result_list) == []


def test_phone_admin_must_name_a_permission_of_its_own_app():
    class Forgetful(PhoneAdminMixin, admin.ModelAdmin):
        pass

    class Borrowing(PhoneAdminMixin, admin.ModelAdmin):
        personal_data_permission = "events.view_personal_data"

    class Owning(PhoneAdminMixin, admin.ModelAdmin):
        personal_data_permission = "artworks.view_personal_data"

    site = AdminSite()
    found = [
        [error.id for error in admin_class(Artwork, site).check()]
        for admin_class in (Forgetful, Borrowing, Owning)
    ]

    assert found == [["tongyun.E001"], ["tongyun.E001"], []]


def test_works_are_found_by_the_last_four_digits_of_the_phone(clerk_client):
    call = CallFactory()
    wanted = pending(call=call, phone="+8613812345678")
    pending(call=call, phone="+8613812340000")

    response = clerk_client.get(ARTWORKS, {"q": "5678"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_whole_phone_search_needs_the_permission(clerk_client, trusted_client):
    wanted = pending(phone="+8613812345678")

    hidden = clerk_client.get(ARTWORKS, {"q": "138 1234 5678"})
    found = trusted_client.get(ARTWORKS, {"q": "138 1234 5678"})

    assert list(hidden.context["cl"].result_list) == []
    assert list(found.context["cl"].result_list) == [wanted]


# --- Adding and deleting ------------------------------------------------------


def test_works_cannot_be_added_in_the_admin(admin_client):
    listing = admin_client.get(ARTWORKS)
    adding = admin_client.get(reverse("admin:artworks_artwork_add"))

    assert listing.context["has_add_permission"] is False
    assert adding.status_code == 403


def test_deleting_a_work_deletes_its_files(
    clerk_client, django_capture_on_commit_callbacks
):
    artwork, kept = ArtworkFactory(), ArtworkFactory()
    names = [artwork.image.name, artwork.thumbnail.name]
    url = reverse("admin:artworks_artwork_delete", args=[artwork.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert list(Artwork.objects.all()) == [kept]
    assert [storage().exists(name) for name in names] == [False, False]
    assert storage().exists(kept.image.name)
    assert storage().exists(kept.thumbnail.name)


def test_delete_is_not_offered_beside_approve_and_feature(clerk_client):
    call = CallFactory()
    chosen = ArtworkFactory.create_batch(2, call=call)

    listing = clerk_client.get(ARTWORKS)
    clerk_client.post(
        ARTWORKS, action_post("delete_selected", chosen) | {"post": "yes"}
    )

    offered = [
        value
        for value, _label in listing.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in offered
    assert {"approve", "feature", "reject"} <= set(offered)
    assert Artwork.objects.count() == 2


def test_files_stay_until_the_deletion_commits(
    clerk_client, django_capture_on_commit_callbacks
):
    artwork = ArtworkFactory()
    url = reverse("admin:artworks_artwork_delete", args=[artwork.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        clerk_client.post(url, {"post": "yes"})

    assert storage().exists(artwork.image.name)
    assert len(callbacks) == 1


# --- Calls --------------------------------------------------------------------


def test_call_categories_are_ticked_and_saved_comma_separated(admin_client):
    call = CallFactory.build(slug="rose-photos-2030")
    data = call_post(call, categories=["photography", "painting"])

    response = admin_client.post(reverse("admin:artworks_call_add"), data)

    assert response.status_code == 302
    assert Call.objects.get().categories == "painting,photography"


def test_call_change_page_ticks_the_offered_categories(admin_client):
    call = CallFactory(categories="calligraphy,photography")

    response = admin_client.get(reverse("admin:artworks_call_change", args=[call.pk]))

    html = response.content.decode()
    assert 'value="calligraphy" id="id_categories_1" checked' in html
    assert 'value="photography" id="id_categories_2" checked' in html
    assert 'value="painting" id="id_categories_0" checked' not in html


def test_call_needs_a_category_and_must_close_after_it_opens(admin_client):
    call = CallFactory.build(slug="empty-2030", theme="牡丹之约")
    day_before = timezone.localtime(call.opens_at) - dt.timedelta(days=1)
    data = call_post(call, categories=[], closes_at_0=f"{day_before:%Y-%m-%d}")

    response = admin_client.post(reverse("admin:artworks_call_add"), data)

    form = response.context["adminform"].form
    # The model's constraint refuses the dates, beside the closing date.
    assert form.errors.keys() == {"categories", "closes_at"}
    assert form.has_error("closes_at", "closes_early")
    html = response.content.decode()
    assert "征集截止时间必须晚于开始时间。" in html
    assert f'name="closes_at_0" value="{day_before:%Y-%m-%d}"' in html
    assert 'name="theme" value="牡丹之约"' in html
    assert not Call.objects.exists()


def test_call_list_counts_works_by_status(admin_client):
    call = CallFactory()
    for status, count in [(PENDING, 3), (APPROVED, 2), (FEATURED, 1), (REJECTED, 1)]:
        ArtworkFactory.create_batch(count, call=call, status=status)

    response = admin_client.get(CALLS)

    row = response.context["cl"].result_list[0]
    counts = (
        row.pending_count,
        row.approved_count,
        row.featured_count,
        row.rejected_count,
    )
    assert counts == (3, 2, 1, 1)
    html = response.content.decode()
    shown = [
        re.search(
            rf"call__id__exact={call.pk}&amp;status__exact={status}\">[^<]*: (\d+)<",
            html,
        )[1]
        for status in (PENDING, APPROVED, FEATURED, REJECTED)
    ]
    assert shown == ["3", "2", "1", "1"]


@pytest.mark.parametrize("item_count", [1, 3])
def test_call_list_query_count_is_constant(
    admin_client, item_count, django_assert_num_queries
):
    for call in CallFactory.create_batch(item_count):
        ArtworkFactory.create_batch(2, call=call)

    # 6 queries: session, user, the community filter's choices, count, total
    # count, calls with their community and counts by status (one join).
    with django_assert_num_queries(6):
        response = admin_client.get(CALLS)

    assert len(response.context["cl"].result_list) == item_count
