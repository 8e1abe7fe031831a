"""Compression of what the app answers itself (WhiteNoise compresses static
files in advance)."""

from django.middleware.gzip import GZipMiddleware

# Content types worth compressing: text. Pictures, PDFs and workbooks are
# compressed already; deflating them again costs CPU and saves nothing.
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (random-length padding against BREACH
    included), for text answers only."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
