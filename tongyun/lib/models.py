"""Model pieces shared by the apps."""

import functools

from django.core.exceptions import ValidationError
from django.db import models

from .text import clean_text, normalise_text


@functools.cache
def _text_fields(model):
    """
    (field, options for the text rule) of each text field of model that
    people type: CharField and TextField without choices (choices are
    checked against their list). Codes, whose full-width characters mean
    ASCII ones, are cleaned with compatibility: slugs, e-mail addresses, and
    the fields the model names in compatibility_fields (phones).
    """
    codes = (models.SlugField, models.EmailField, models.URLField)
    return tuple(
        (
            field,
            {
                "multiline": isinstance(field, models.TextField),
                "compatibility": isinstance(field, codes)
                or field.name in model.compatibility_fields,
            },
        )
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    )


class CleanTextMixin:
    """
    A model whose text fields keep to the one rule of tongyun.lib.text,
    whichever way the text arrives.

    full_clean() (model forms: the admin, imports) refuses control
    characters and text of invisible characters only beside each field, in
    the user's language, and keeps the cleaned text; save() (services,
    commands, the demo) applies the rule without refusing, as the last
    guard. QuerySet.update(), bulk_update() and bulk_create() skip save():
    they write what code computed (statuses, erased data), not what people
    typed. The public forms clean their own fields the same way
    (tongyun.lib.forms.CleanTextField) before a service writes them.
    """

    # CharFields holding codes, normalised with NFKC (see _text_fields).
    compatibility_fields = ()

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        deferred = self.get_deferred_fields()
        errors = {}
        for field, options in _text_fields(type(self)):
            if field.name in exclude or field.attname in deferred:
                continue
            try:
                value = clean_text(getattr(self, field.attname), **options)
            except ValidationError as error:
                errors[field.name] = error.error_list
            else:
                setattr(self, field.attname, value)
        try:
            super().clean_fields(exclude=exclude | errors.keys())
        except ValidationError as more:
            errors = more.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Only what this save writes: a deferred field read here would cost
        # a query.
        updating = kwargs.get("update_fields")
        skipped = self.get_deferred_fields()
        for field, options in _text_fields(type(self)):
            if field.attname in skipped or (
                updating is not None and field.name not in updating
            ):
                continue
            value = getattr(self, field.attname)
            setattr(self, field.attname, normalise_text(value, **options))
        super().save(*args, **kwargs)


class FieldConstraintsMixin:
    """
    A model whose constraints' refusals belong beside a field.

    Django reports a failed CheckConstraint as an error of the whole form.
    constraint_fields maps a constraint's violation_error_code to the field
    it is about, so that a ModelForm shows the message there instead; codes
    not named stay where Django puts them. No query beyond the constraints'.
    """

    constraint_fields = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as errors:
            by_field = {}
            for field, field_errors in errors.error_dict.items():
                for error in field_errors:
                    key = self.constraint_fields.get(error.code, field)
                    by_field.setdefault(key, []).append(error)
            raise ValidationError(by_field) from None
