"""Form pieces shared by the public forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class HoneypotForm(forms.Form):
    """
    A public form with the `website` honeypot: hidden from people by CSS
    (templates wrap it in class "hp"), left empty by them; bots that fill
    every field get honeypot_message as a plain form error, nothing saved.
    """

    honeypot_message = None

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(self.honeypot_message, code="honeypot")
        return cleaned
