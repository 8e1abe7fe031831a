"""Requests too large to take, refused before their body is read."""

from django.conf import settings
from django.shortcuts import render

from tongyun.lib import images


def max_request_bytes():
    """
    The largest request body the site reads: one picture (images.MAX_BYTES)
    and the form's other fields (DATA_UPLOAD_MAX_MEMORY_SIZE). A reverse
    proxy in front should refuse larger bodies itself (nginx:
    client_max_body_size 21m, README).
    """
    return images.MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeMiddleware:
    """
    Answer a request whose declared body (Content-Length) is larger than
    max_request_bytes() with 413 and a page in the visitor's language,
    without reading a byte of it: without this, Django would read a 150 MB
    upload to a temporary file before the form could refuse it.

    The check runs as a view middleware placed before CsrfViewMiddleware,
    the first to read the body, so that the answer still passes through
    every middleware and carries the same headers as any page. Django reads
    no more than Content-Length of a body, nor any of a body without one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body then
        if declared <= max_request_bytes():
            return None
        ctx = {"limit": images.MAX_BYTES // images.MB}
        return render(request, "413.html", ctx, status=413)
