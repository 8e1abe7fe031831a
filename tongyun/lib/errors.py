"""Refusals, as services raise them and forms show them."""

from django.core.exceptions import ValidationError


def refuse(message, code, field=None, **params):
    """
    Raise ValidationError(message formatted with params, code=code).

    With field, the error is keyed by it, so that a form's add_error(None,
    error) shows it beside that field; without, it is the form's general
    error (or the caller picks a field by its code).
    """
    error = ValidationError(message.format(**params), code=code)
    raise ValidationError({field: error}) if field else error
