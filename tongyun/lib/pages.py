"""
Public lists kept small: one page's context and its links' filters, or the
first rows of a list and how many more there are.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Window
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


def first_rows(rows, limit):
    """
    The first limit rows of a queryset as a list, and how many more it
    holds: (rows, more). One query, the count read from a window over the
    rows the query finds before the slice.
    """
    shown = list(rows.annotate(rows_in_all=Window(Count("pk")))[:limit])
    return shown, (shown[0].rows_in_all - len(shown) if shown else 0)
