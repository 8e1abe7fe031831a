import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from artworks.models import Call
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
