import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from artworks.models import Call, given_name
from tests.factories import ArtworkFactory, CallFactory

pytestmark = pytest.mark.django_db


def test_calls_with_work_counts_count_each_calls_works_by_status():
    busy, quiet = CallFactory(), CallFactory()
    for status, count in [("pending", 3), ("approved", 2), ("featured", 1)]:
        ArtworkFactory.create_batch(count, call=busy, status=status)
    ArtworkFactory(call=quiet, status="rejected")

    calls = Call.objects.with_work_counts().order_by("pk")

    assert [
        (c.pending_count, c.approved_count, c.featured_count, c.rejected_count)
        for c in calls
    ] == [(3, 2, 1, 0), (0, 0, 0, 1)]


def test_call_closing_before_it_opens_is_refused_with_its_code():
    call = CallFactory.build()
    call.closes_at = call.opens_at - dt.timedelta(hours=1)

    with pytest.raises(ValidationError) as excinfo:
        call.validate_constraints()

    errors = excinfo.value.error_dict["closes_at"]
    assert [error.code for error in errors] == ["closes_early"]
    with pytest.raises(IntegrityError):
        call.save()


@pytest.mark.parametrize(
    ("full", "given"),
    [
        ("刘小雨", "小雨"),
        ("刘小雨（10岁）", "小雨"),
        ("欧阳晓晨", "晓晨"),
        ("王芳", "芳"),
        ("欧阳", "阳"),
        ("雨", "雨"),
        ("Amy Liu", "Amy"),
        ("", ""),
    ],
)
def test_given_name_drops_the_surname_and_any_age(full, given):
    assert given_name(full) == given


def test_a_young_authors_credit_is_given_name_and_age_group():
    child = ArtworkFactory.build(
        artist_name="刘小雨", is_minor=True, guardian_consent=True, age_group="7_10"
    )
    adult = ArtworkFactory.build(artist_name="赵文清")

    assert child.credit == "小雨（7至10岁组）"
    assert adult.credit == "赵文清"
