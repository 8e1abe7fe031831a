"""Staff print exhibition labels of the works on show from the admin."""

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from artworks.labels import artwork_label
from artworks.models import Artwork
from tests import pdfs
from tests.factories import (
    ArtworkFactory,
    CallFactory,
    CommunityFactory,
    SpeciesFactory,
    reach_every_community,
)
from tongyun.lib.labels import PER_PAGE
from tongyun.roles import make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("printed_site")]

SITE = pdfs.SITE
EVERY_STATUS = "?status__exact=all"


def print_labels(client, works, query=EVERY_STATUS):
    url = reverse("admin:artworks_artwork_changelist") + query
    return pdfs.print_labels(client, url, works)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("work_count", "page_count"), [(1, 1), (PER_PAGE, 1), (PER_PAGE + 1, 2)]
)
def test_exhibition_labels_fill_pages_with_each_works_address_in_order(
    admin_client, work_count, page_count
):
    works = ArtworkFactory.create_batch(work_count, status="approved")
    # The list's own order: newest first.
    works.sort(key=lambda work: (work.submitted_at, work.pk), reverse=True)

    data = pdfs.pdf_of(print_labels(admin_client, works))

    assert pdfs.page_count(data) == page_count
    expected = [f"{SITE}/artworks/{work.pk}/" for work in works]
    assert [url for page in pdfs.scanned(data) for url in page] == expected
    assert [len(page) for page in pdfs.scanned(data)][0] == min(work_count, PER_PAGE)


def test_exhibition_label_gives_title_credit_and_call(admin_client):
    call = CallFactory(title="牡丹元素书画与摄影作品征集")
    work = ArtworkFactory(
        call=call, title="国色天香", artist_name="王建国", status="featured"
    )

    response = print_labels(admin_client, [work])

    text = pdfs.unwrapped(pdfs.pdf_of(response))
    for words in ["国色天香", "王建国", "牡丹元素书画与摄影作品征集"]:
        assert words in text
    assert response["Content-Disposition"] == (
        'attachment; filename="artwork-labels.pdf"'
    )


def test_exhibition_label_never_gives_a_young_authors_full_name(admin_client):
    work = ArtworkFactory(
        artist_name="刘小雨",
        is_minor=True,
        guardian_consent=True,
        age_group="7_10",
        status="approved",
    )

    text = pdfs.text(pdfs.pdf_of(print_labels(admin_client, [work])))

    assert "小雨" in text
    assert "刘小雨" not in text


def test_exhibition_label_takes_the_colour_of_the_calls_flower():
    redbud = SpeciesFactory(theme="redbud")
    ArtworkFactory(call=CallFactory(species=redbud))
    ArtworkFactory(call=CallFactory(species=None))

    accents = [artwork_label(w).accent for w in Artwork.objects.for_labels()]

    assert sorted(accents) == ["#2e6b34", "#8e2f7a"]


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_works_not_on_show_are_refused_with_their_titles(admin_client, status):
    shown = ArtworkFactory(status="approved")
    hidden = ArtworkFactory(title="待审的作品", status=status)

    response = print_labels(admin_client, [shown, hidden])

    assert response["Content-Type"] != "application/pdf"
    [(level, message)] = messages_of(response)
    assert level == "error"
    assert "待审的作品" in message
    assert shown.title not in message


def test_pending_works_on_the_default_list_are_refused(admin_client):
    pending = ArtworkFactory(status="pending")

    response = print_labels(admin_client, [pending], query="")

    assert response["Content-Type"] != "application/pdf"
    assert pdfs.message_levels(response) == ["error"]


@pytest.mark.parametrize("work_count", [1, 20])
def test_exhibition_labels_query_count_is_constant(
    admin_client, work_count, django_assert_num_queries
):
    species = SpeciesFactory()
    works = [
        ArtworkFactory(call=CallFactory(species=species), status="approved")
        for _n in range(work_count)
    ]

    # 7 queries: session, user; the changelist's call filter choices, its
    # two counts, the choices again; the selected works with their calls and
    # the calls' flowers (select_related).
    with django_assert_num_queries(7):
        response = print_labels(admin_client, works)

    assert pdfs.page_count(pdfs.pdf_of(response)) == -(-work_count // PER_PAGE)


# --- Who may print


def test_community_staff_print_their_own_communitys_works_only(client):
    own = CommunityFactory()
    mine = ArtworkFactory(call=CallFactory(community=own), status="approved")
    theirs = ArtworkFactory(
        call=CallFactory(community=CommunityFactory()),
        title="别的社区的作品",
        status="approved",
    )
    alice = make_staff(
        username="alice", role="community", password="花园-Labels-2026", community=own
    )
    client.force_login(alice)

    data = pdfs.pdf_of(print_labels(client, [mine, theirs]))
    only_theirs = print_labels(client, [theirs])

    assert pdfs.scanned(data) == [[f"{SITE}{mine.get_absolute_url()}"]]
    assert "别的社区的作品" not in pdfs.text(data)
    assert only_theirs["Content-Type"] != "application/pdf"
    assert pdfs.message_levels(only_theirs) == ["warning"]


def test_staff_without_the_view_permission_print_nothing():
    user = User.objects.create_user("bob", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="artworks").exclude(
            codename__in=["view_artwork", "change_artwork"]
        )
    )
    reach_every_community(user)
    client = Client()
    client.force_login(user)
    work = ArtworkFactory(status="approved")

    response = print_labels(client, [work])

    assert response.status_code == 403
    assert response["Content-Type"] != "application/pdf"


def test_the_view_permission_is_enough_to_print(client):
    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_artwork"))
    reach_every_community(user)
    client.force_login(user)
    work = ArtworkFactory(status="featured")

    data = pdfs.pdf_of(print_labels(client, [work]))

    assert pdfs.scanned(data) == [[f"{SITE}{work.get_absolute_url()}"]]
