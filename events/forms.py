from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib.forms import CleanEmailField, CleanTextField, PublicForm
from tongyun.lib.phones import normalise_mobile
from tongyun.lib.retention import retention_days

from . import services
from .models import MAX_PUBLIC_HEADCOUNT, Organisation

HEADCOUNT_CHOICES = [(n, str(n)) for n in range(1, MAX_PUBLIC_HEADCOUNT + 1)]
CONSENT = _(
    "I agree that my phone number is used only to contact me about this "
    "event, and is deleted within {days} days after it."
)


class SignupForm(PublicForm):
    """
    A resident's sign-up for one event (DESIGN §4 field names).

    A plain Form, not a ModelForm: services.sign_up writes the row, after
    locking the event. cleaned_data["phone"] is +86… and
    cleaned_data["organisation"] the text as typed; matched_organisation()
    looks it up (one query).
    """

    honeypot_message = _(
        "Your sign-up could not be sent. Please check the form and try again."
    )
    squash_fields = ("name", "organisation")

    name = CleanTextField(
        label=_("Your name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = CleanTextField(
        label=_("Mobile phone"),
        help_text=_(
            "Used only to reach you about this event; never shown on the site."
        ),
        max_length=30,
        compatibility=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    headcount = forms.TypedChoiceField(
        label=_("How many people, you included"),
        choices=HEADCOUNT_CHOICES,
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": format_lazy(
                _("Sign up 1 to {most} people at a time."), most=MAX_PUBLIC_HEADCOUNT
            ),
        },
    )
    organisation = CleanTextField(
        label=_("Organisation (optional)"),
        help_text=_("If you come with a school, an office or a community group."),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = CleanEmailField(
        label=_("E-mail (optional)"),
        help_text=_("We send your ticket and a reminder there."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        # The retention period is the setting's (see __init__).
        label=CONSENT,
        error_messages={
            "required": _("Please agree, so that we can reach you about the event."),
        },
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        # What the purge keeps to (tongyun.lib.retention), as it is set now.
        self.fields["consent"].label = format_lazy(CONSENT, days=retention_days())
        if event is not None:
            # A bigger group is told where to turn, before and after trying
            # (services.sign_up refuses in the same words).
            headcount = self.fields["headcount"]
            headcount.help_text = event.bigger_group_advice()
            headcount.error_messages["invalid_choice"] = event.headcount_refusal()

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])

    @property
    def phone_is_taken(self):
        """Whether the phone was refused as signed up already: the page then
        links to "Find my sign-up"."""
        return self.has_error("phone", "phone_taken")

    def matched_organisation(self):
        """
        The Organisation named as typed, in Chinese or English, or None.

        Public input never creates an organisation. One query when a name
        was typed, none otherwise.
        """
        text = self.cleaned_data.get("organisation")
        if not text:
            return None
        return Organisation.objects.filter(
            Q(name=text) | Q(name_en__iexact=text)
        ).first()


class TakeSeatsForm(PublicForm):
    """
    The first in line lowers its headcount to take the seats that are free
    (services.take_free_seats, which checks again under the event's lock).
    most is Signup.seats_offered().
    """

    honeypot_message = _("Your change could not be sent. Please try again.")

    headcount = forms.TypedChoiceField(
        label=_("How many of you can come"),
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, most, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["headcount"]
        field.choices = [(n, str(n)) for n in range(1, most + 1)]
        field.initial = most
        refusal = services.headcount_beyond_free_seats(most)
        field.error_messages["invalid_choice"] = refusal
        field.error_messages["required"] = refusal
