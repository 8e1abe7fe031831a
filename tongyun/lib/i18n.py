"""Content in two languages: Chinese in the field, English beside it."""

from django.utils.translation import get_language, gettext_noop

# Django's own msgids that its zh_Hans catalogue lacks (Django 6.1), shown
# in the admin: listed here so that makemessages keeps their translations
# in ours, which Django reads first (LOCALE_PATHS). Spelled gettext_noop,
# not aliased: makemessages finds only the names it knows.
DJANGO_GAPS = [
    gettext_noop("- Select an option -"),  # the action bar's and forms' empty choice
    gettext_noop("Filter by %(field_name)s"),  # above a list's date hierarchy
]


class LocalizedText(str):
    """
    Content text read in the active language; is_fallback when an English
    page shows the Chinese text because no English was entered (templates
    mark it with the `localized` filter).
    """

    is_fallback = False


class ChineseFallback(LocalizedText):
    is_fallback = True


class Localized:
    """
    Read a content field in the active language.

    ``name_i18n = Localized("name")`` on a model gives ``obj.name_i18n``: the
    English text from ``name_en`` on English pages, falling back to the
    Chinese ``name`` where no English was entered (a ChineseFallback, which
    the ``localized`` filter marks as Chinese); ``name`` everywhere else.
    Reads attributes only, never queries.
    """

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        chinese = getattr(instance, self.field)
        if (get_language() or "").startswith("en"):
            english = getattr(instance, f"{self.field}_en")
            if english or not chinese:
                return LocalizedText(english)
            return ChineseFallback(chinese)
        return chinese
