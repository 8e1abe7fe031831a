"""
Keeping private pages out of search engines.

robots.txt (tongyun.crawlers.robots_txt) asks crawlers to stay away from the
private addresses it can name, but a ticket's or a status page's address
holds a secret token, which no robots.txt can list; and a crawler that
finds such a link elsewhere may index it without ever fetching it. So each
private page says so itself, twice: an `X-Robots-Tag` header, for every
answer including redirects, and a `<meta name="robots">` in the page
(base.html reads request.robots), for whatever keeps only the HTML.
"""

import functools

from django.shortcuts import render

NOINDEX = "noindex, nofollow"
HEADER = "X-Robots-Tag"


def render_private(request, template_name, context=None, *, status=200):
    """render() for a private page: marked noindex in its head and headers."""
    request.robots = NOINDEX
    response = render(request, template_name, context, status=status)
    response[HEADER] = NOINDEX
    return response


def private_page(view):
    """Decorate a view whose every answer is private (a ticket, a status page)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.robots = NOINDEX
        response = view(request, *args, **kwargs)
        response[HEADER] = NOINDEX
        return response

    return wrapper
