"""Paginated public lists: one page's context, and its links' filters."""

from django.core.paginator import Paginator
from django.utils.http import urlencode


def page_context(rows, number, *, per_page, filters=None):
    """
    The context of includes/pager.html for page number (as the query string
    gave it) of rows: page, page_numbers (elided, [] for a single page),
    ellipsis, and page_query, the filters in force (those not empty) that
    each page's link keeps, ending in "&". Queries: the count, when asked.
    """
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(number)
    kept = {name: value for name, value in (filters or {}).items() if value}
    return {
        "page": page,
        "page_numbers": (
            list(paginator.get_elided_page_range(page.number, on_each_side=1))
            if paginator.num_pages > 1
            else []
        ),
        "ellipsis": paginator.ELLIPSIS,
        "page_query": f"{urlencode(kept)}&" if kept else "",
    }
