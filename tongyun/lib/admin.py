"""Admin pieces shared by the apps that keep residents' phone numbers."""

import contextlib
import re

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongyun.lib import phones

# Covers volunteers' and submitters' phones alike.
PERSONAL_DATA = "events.view_personal_data"


class PhoneAdminMixin:
    """
    A model admin whose rows carry a `phone`: shown masked unless the user
    may see personal data, and found by its last four digits (or, for those
    who may see it, by the whole number).
    """

    def shows_personal_data(self, request):
        return request.user.has_perm(PERSONAL_DATA)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return phones.for_staff(obj.phone, full=False) or "—"

    @admin.display(description=_("phone"), ordering="phone")
    def full_phone(self, obj):
        # Non-breaking spaces keep "138 0013 8000" on one line.
        shown = phones.for_staff(obj.phone, full=True)
        return shown.replace(" ", "\N{NO-BREAK SPACE}") or "—"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        digits = re.sub(r"[\s-]", "", search_term)
        if re.fullmatch(r"[0-9]{4}", digits):
            results |= queryset.filter(phone__endswith=digits)
        elif self.shows_personal_data(request):
            # Not a phone number? The other fields were searched already.
            with contextlib.suppress(ValidationError):
                results |= queryset.filter(phone=phones.normalise_mobile(digits))
        return results, may_have_duplicates
