"""Query pieces shared by the apps."""

from django.db import models
from django.db.models import F, Func, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce


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


def keys_of(queryset, outer, key):
    """
    A correlated subquery: the key column of the rows of queryset whose
    outer column is the outer row's primary key, joined by commas ("" when
    none): keys_of(Zone.species.through.objects, "zone", "species").

    With picked(), a page that fetches the rows those keys name anyway (a
    small catalogue, such as the species) shows each row's related rows
    without one more query per relation (a prefetch).
    """
    rows = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    joined = rows.annotate(
        keys=StringAgg(Cast(key, models.CharField()), Value(","))
    ).values("keys")
    text = models.TextField()
    return Coalesce(Subquery(joined, output_field=text), Value(""), output_field=text)


def picked(keys, rows):
    """The rows, in their own order, whose primary key is among keys (keys_of)."""
    wanted = {int(key) for key in keys.split(",") if key}
    return [row for row in rows if row.pk in wanted]
