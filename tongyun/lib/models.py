"""Model pieces shared by the apps."""

from django.core.exceptions import ValidationError


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
