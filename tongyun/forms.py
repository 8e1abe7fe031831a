"""The site layer's public forms: "find my sign-up", phone then code."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .lib.forms import CleanTextField, PublicForm
from .lib.phones import normalise_mobile

HONEYPOT_MESSAGE = _(
    "Your request could not be sent. Please check the form and try again."
)


class FindPhoneForm(PublicForm):
    """Step 1 (DESIGN §4 field name phone); cleaned_data["phone"] is +86…."""

    honeypot_message = HONEYPOT_MESSAGE

    phone = CleanTextField(
        label=_("Mobile phone"),
        help_text=_("The number you signed up or sent a work with."),
        max_length=30,
        compatibility=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])


class FindCodeForm(PublicForm):
    """Step 2 (field name code): the 6 digits, spaces allowed in between."""

    honeypot_message = HONEYPOT_MESSAGE

    code = CleanTextField(
        label=_("Code from the text message"),
        max_length=20,
        compatibility=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )

    def clean_code(self):
        digits = "".join(self.cleaned_data["code"].split())
        if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
            raise ValidationError(
                _("Enter the 6 digits of the code."), code="bad_code_format"
            )
        return digits
