"""Mainland China mobile numbers: checked, normalised, masked."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID = _("Enter a mainland China mobile number, for example 138 0013 8000.")


def normalise_mobile(raw):
    """
    '138 0013 8000', '+86 138-0013-8000' → '+8613800138000'.

    Raises ValidationError (code "invalid_phone") for anything that is not a
    valid mainland mobile number.
    """
    try:
        number = phonenumbers.parse(str(raw).strip(), "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID, code="invalid_phone") from None
    is_mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if not (
        number.country_code == 86 and phonenumbers.is_valid_number(number) and is_mobile
    ):
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(phone):
    """'+8613800138000' → '138****8000': enough to recognise, not to call."""
    digits = phone.removeprefix("+86")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def format_phone(phone):
    """'+8613800138000' → '138 0013 8000', as people write it here."""
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def for_staff(phone, *, full):
    """The phone as staff may see it: in full, or masked; "" when none."""
    if not phone:
        return ""
    return format_phone(phone) if full else mask(phone)


def last_four(phone):
    return phone[-4:]
