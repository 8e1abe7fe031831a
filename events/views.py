# Placeholder until the public views land; every name in events/urls.py exists.
from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


event_list = event_detail = signup_create = event_ics = _missing
ticket = signup_cancel = signup_check_in = _missing
