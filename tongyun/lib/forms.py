"""Form pieces shared by the public and the admin forms."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .text import clean_text

CHOOSE_AGAIN = _(
    "A browser cannot keep a chosen file when the form comes back: please "
    "choose the file again."
)


def ask_for_the_file_again(form, *names, errors_elsewhere=False):
    """
    Before form is shown again with errors (its own, or errors_elsewhere on
    the same page), say under each file field in names that was sent a file
    that it must be chosen again: a browser never keeps a file input's
    choice. Does nothing when there are no errors or no file was sent.
    """
    if not form.is_bound or not (form.errors or errors_elsewhere):
        return
    for name in names:
        if not form.files.get(form.add_prefix(name)):
            continue
        codes = [error.code for error in form.errors.as_data().get(name, [])]
        if "choose_again" not in codes:
            form.add_error(name, ValidationError(CHOOSE_AGAIN, code="choose_again"))


class CleanTextField(forms.CharField):
    """
    A text field of a form that is no model form (the public forms, the
    admin's own forms), cleaned by the one rule (tongyun.lib.text):
    normalised, control characters refused, invisible characters dropped,
    text of invisible characters only refused. A Textarea takes several
    lines. compatibility=True for codes (phones, one-time codes): full-width
    digits become ASCII ones. Model forms get the same rule from the model
    (tongyun.lib.models.CleanTextMixin).
    """

    def __init__(self, *, compatibility=False, **kwargs):
        self.compatibility = compatibility
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = clean_text(
            value,
            multiline=isinstance(self.widget, forms.Textarea),
            compatibility=self.compatibility,
        )
        # Dropping invisible characters may leave spaces at either end.
        return value.strip() if self.strip else value


class CleanEmailField(forms.EmailField):
    """An e-mail address, full-width letters typed in Chinese made ASCII."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_text(value, compatibility=True).strip()


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


class PublicForm(HoneypotForm):
    """
    A form residents fill in on the public pages: the honeypot, labels above
    their inputs (no colon after them), has_field_errors for the summary
    (templates/includes/form_errors.html), and the text fields named in
    squash_fields with runs of whitespace squashed to one space.
    """

    squash_fields = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def has_field_errors(self):
        """Whether any error belongs to a field (the summary says so)."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def clean(self):
        for name in self.squash_fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, str):
                self.cleaned_data[name] = " ".join(value.split())
        return super().clean()


def refuse_over_rate_limit(form, message, render):
    """
    A request past a rate limit (tongyun.lib.limits): add message to form
    as its general error and return render(form, status=429), the form as
    typed, nothing written.
    """
    form.add_error(None, ValidationError(message, code="rate_limited"))
    return render(form, status=429)


# How long a resident should wait before sending again a form that storage
# could not take (seconds; Retry-After).
STORAGE_RETRY_AFTER = 300


def refuse_storage_unavailable(form, render):
    """
    A form whose picture storage could not take (StorageUnavailable): add
    a general error to form and return render(form, status=503) with
    Retry-After, the form as typed, nothing written. 503, not 422: nothing
    the person typed is at fault, and the same form may be sent again later.
    """
    message = gettext(
        "Your picture could not be stored just now, so nothing was sent. "
        "Please try again in a few minutes; what you typed is still here."
    )
    form.add_error(None, ValidationError(message, code="storage_unavailable"))
    response = render(form, status=503)
    response["Retry-After"] = str(STORAGE_RETRY_AFTER)
    return response
