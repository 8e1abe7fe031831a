from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from tongyun.lib import images
from tongyun.lib.forms import CleanTextField, PublicForm, ask_for_the_file_again
from tongyun.lib.phones import normalise_mobile
from tongyun.lib.retention import retention_days

from . import services
from .models import Artwork

CONSENT = _(
    "I agree that after review the work may be shown on this site and at the "
    "service station, and that my phone number is used only to contact me "
    "about this call and is deleted {days} days after the call closes."
)


class ArtworkForm(PublicForm):
    """
    A resident's work for the open call (DESIGN §4 field names).

    A plain Form, not a ModelForm: services.submit checks the image and
    writes the row with its files, after locking the call. The category
    choices are the call's; cleaned_data["phone"] is +86….
    """

    honeypot_message = _(
        "Your work could not be sent. Please check the form and try again."
    )
    squash_fields = ("title", "artist_name", "community", "class_name")

    title = CleanTextField(
        label=_("Title of the work"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a category."),
            "invalid_choice": _("This call does not take this category."),
        },
    )
    image = forms.FileField(
        label=_("Picture of the work"),
        help_text=format_lazy(
            _(
                "JPEG, PNG or WebP, up to {limit} MB. For a painting or "
                "calligraphy, a clear photo taken straight on is best."
            ),
            limit=images.MAX_BYTES // images.MB,
        ),
        # What the input offers to pick; images.prepare decides by the bytes.
        widget=forms.FileInput(attrs={"accept": images.ACCEPT}),
        error_messages={
            "required": _("Please choose a picture of your work."),
            "empty": _("The file is empty. Please choose your picture again."),
        },
    )
    description = CleanTextField(
        label=_("About the work (optional)"),
        help_text=_("What it shows, how it was made, the story behind it."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    artist_name = CleanTextField(
        label=_("Artist's name"),
        help_text=_("Shown beside the work in the gallery."),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    community = CleanTextField(
        label=_("Community (optional)"),
        help_text=_("Where the artist lives; shown beside the name."),
        max_length=100,
        required=False,
    )
    class_name = CleanTextField(
        label=_("Class or group (optional)"),
        help_text=_(
            "For a teacher submitting for a class, e.g. the community painting class."
        ),
        max_length=100,
        required=False,
    )
    is_minor = forms.BooleanField(
        label=_("The author is under 14"),
        required=False,
    )
    age_group = forms.ChoiceField(
        label=_("Age group of the author (under 14)"),
        help_text=_(
            "The gallery shows a young author by given name and age group only."
        ),
        choices=Artwork.AgeGroup.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    guardian_consent = forms.BooleanField(
        label=_(
            "A parent or guardian of the author agrees that the work is sent and shown."
        ),
        required=False,
    )
    phone = CleanTextField(
        label=_("Mobile phone"),
        help_text=_(
            "Used only to contact you about this call; never shown on the site."
        ),
        max_length=30,
        compatibility=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    consent = forms.BooleanField(
        # The retention period is the setting's (see __init__).
        label=CONSENT,
        error_messages={
            "required": _("Please agree, so that the work can be shown after review."),
        },
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        # What the purge keeps to (tongyun.lib.retention), as it is set now.
        self.fields["consent"].label = format_lazy(CONSENT, days=retention_days())
        self.fields["category"].choices = [
            (value, capfirst(label)) for value, label in call.category_choices()
        ]

    def ask_for_the_file_again(self):
        """Before the form is shown again with errors: see lib.forms."""
        ask_for_the_file_again(self, "image")

    def clean_phone(self):
        return normalise_mobile(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_minor"):
            # A guardian's tick and an age group mean nothing for an adult.
            cleaned["guardian_consent"] = False
            cleaned["age_group"] = ""
            return cleaned
        try:
            services.check_author(
                is_minor=True,
                guardian_consent=cleaned.get("guardian_consent"),
                age_group=cleaned.get("age_group"),
            )
        except ValidationError as refusal:
            self.add_error(None, refusal)
        return cleaned
