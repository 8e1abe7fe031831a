"""Content in two languages: Chinese in the field, English beside it."""

from django.utils.translation import get_language


class Localized:
    """
    Read a content field in the active language.

    ``name_i18n = Localized("name")`` on a model gives ``obj.name_i18n``: the
    English text from ``name_en`` on English pages, falling back to the
    Chinese ``name`` where no English was entered; ``name`` everywhere else.
    Reads attributes only, never queries.
    """

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        chinese = getattr(instance, self.field)
        if (get_language() or "").startswith("en"):
            return getattr(instance, f"{self.field}_en") or chinese
        return chinese
