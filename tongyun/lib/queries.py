"""Query pieces shared by the apps."""

from django.db import models
from django.db.models import F, Func, Subquery
from django.db.models.functions import Coalesce


def sum_of(queryset, field):
    """
    A correlated subquery: the sum of field over queryset, 0 when empty.

    SUM as a plain function, not an aggregate, so no GROUP BY is added and
    the subquery always returns one row; joins of the outer query are never
    multiplied.
    """
    total = queryset.order_by().annotate(total=Func(F(field), function="SUM"))
    return Coalesce(
        Subquery(total.values("total"), output_field=models.IntegerField()), 0
    )


def count_of(queryset):
    """
    A correlated subquery: how many rows queryset has, 0 when none.

    COUNT as a plain function, as sum_of(): no GROUP BY, one row.
    """
    counted = queryset.order_by().annotate(total=Func(F("pk"), function="COUNT"))
    return Coalesce(
        Subquery(counted.values("total"), output_field=models.IntegerField()), 0
    )
