"""
What the artworks app knows about its own data, as figures for the
dashboard (tongyun.dashboard): the works on show by category.
"""

from django.db.models import Count, Q

from .models import Artwork, Category


def exhibited_by_category():
    """
    The works on show (Artwork.objects.public(): approved and featured), per
    Category in its order, every category listed even without works:
    [(value, label, approved, featured)]. One query.
    """
    status = Artwork.Status
    counted = (
        Artwork.objects.public()
        .order_by()
        .values("category")
        .annotate(
            approved=Count("pk", filter=Q(status=status.APPROVED)),
            featured=Count("pk", filter=Q(status=status.FEATURED)),
        )
    )
    found = {row["category"]: row for row in counted}
    return [
        (
            value,
            label,
            found.get(value, {}).get("approved", 0),
            found.get(value, {}).get("featured", 0),
        )
        for value, label in Category.choices
    ]
