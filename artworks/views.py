# Placeholder until the public views land; every name in artworks/urls.py exists.
from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


gallery = artwork_submit = artwork_status = artwork_detail = image = _missing
