from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from gardens.models import Garden, Species, Zone
from tongyun.lib import images
from tongyun.lib.forms import (
    CleanTextField,
    PublicForm,
    ask_for_the_file_again,
)
from tongyun.lib.phones import normalise_mobile
from tongyun.lib.retention import retention_days

from .models import QUESTIONS, Suggestion, SurveyAnswer

CONSENT = _(
    "I agree that my suggestion (without my phone number) and the staff's "
    "reply are shown on the suggestions board, and that my phone number is "
    "used only to ask me about this suggestion and is deleted {days} days "
    "after I send it."
)
# With more zones than this in all, the zone select waits until a garden is
# chosen: 3,600 zones at 300 gardens made the empty form 280 KB of HTML
# (docs/PERFORMANCE.md, issue 13).
FEW_ZONES = 60

HONEYPOT = _("Your suggestion could not be sent. Please check the form and try again.")


class ZoneChoiceField(forms.ModelChoiceField):
    """Zones named with their garden, unless all are of one garden."""

    with_garden = True

    def label_from_instance(self, zone):
        own = f"{zone.code} {zone.name_i18n}"
        return f"{zone.garden.name_i18n} · {own}" if self.with_garden else own


class GardenChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, garden):
        return garden.name_i18n


class SuggestionForm(PublicForm):
    """
    A resident's suggestion (DESIGN §4 field names), and which species it
    is about when sent from a species' page (the hidden `species`, a slug,
    kept through a refused POST).

    A plain Form: services.submit_suggestion checks the place and the photo
    and writes the row. The zones offered are the chosen garden's (the
    posted zone's garden when no garden was posted); with none chosen, all
    zones when there are FEW_ZONES or fewer, else none, and
    zones_wait_for_garden is True. cleaned_data["phone"] is +86… or "".
    """

    honeypot_message = HONEYPOT

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[
            (value, capfirst(label)) for value, label in Suggestion.Category.choices
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what it is about.")},
    )
    garden = GardenChoiceField(
        label=_("Garden (optional)"),
        queryset=Garden.objects.order_by("name"),
        required=False,
        empty_label=_("No garden in particular"),
        error_messages={"invalid_choice": _("Please choose a garden from the list.")},
    )
    zone = ZoneChoiceField(
        label=_("Zone (optional)"),
        help_text=_("The plot's code is on its sign, for example A1."),
        queryset=Zone.objects.select_related("garden").order_by("garden__name", "code"),
        required=False,
        empty_label=_("No zone in particular"),
        error_messages={
            "invalid_choice": _(
                "This zone is not in the garden you chose. Please choose again."
            )
        },
    )
    species = CleanTextField(required=False, max_length=100, widget=forms.HiddenInput)
    text = CleanTextField(
        label=_("Your suggestion"),
        help_text=_("What is missing or wrong, and what you would like done."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write your suggestion.")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        help_text=format_lazy(
            _("JPEG, PNG or WebP, up to {limit} MB."),
            limit=images.MAX_BYTES // images.MB,
        ),
        required=False,
        widget=forms.FileInput(attrs={"accept": images.ACCEPT}),
        error_messages={
            "empty": _("The file is empty. Please choose your picture again.")
        },
    )
    phone = CleanTextField(
        label=_("Mobile phone (optional)"),
        help_text=_("Only if staff may call you about it; never shown on the site."),
        max_length=30,
        required=False,
        compatibility=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    consent = forms.BooleanField(
        label=CONSENT,
        error_messages={
            "required": _("Please agree, so that your suggestion can be shown.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_lazy(CONSENT, days=retention_days())
        # A species comes from a link as a row; the hidden input keeps its slug.
        self._about = self.initial.get("species")
        if isinstance(self._about, Species):
            self.initial["species"] = self._about.slug
        garden = self._chosen_garden()
        self.zones_wait_for_garden = False
        if garden is not None:
            self.fields["zone"].queryset = garden.zones.select_related(
                "garden"
            ).order_by("code")
            self.fields["zone"].with_garden = False
        elif Zone.objects.count() > FEW_ZONES:
            self.fields["zone"].queryset = Zone.objects.none()
            self.zones_wait_for_garden = True

    def _chosen_garden(self):
        """
        The garden posted or pre-filled, if it is one; else the garden of
        the zone posted, so that a zone sent without its garden is still
        judged among its garden's zones; else None. One query at most.
        """
        if self.is_bound:
            value = self.data.get(self.add_prefix("garden"))
            zone = self.data.get(self.add_prefix("zone"))
        else:
            value, zone = self.initial.get("garden"), None
        if isinstance(value, Garden):
            return value
        gardens = Garden.objects.all()
        if _is_pk(value):
            return gardens.filter(pk=int(value)).first()
        if _is_pk(zone):
            return gardens.filter(zones__pk=int(zone)).first()
        return None

    def ask_for_the_file_again(self):
        """Before the form is shown again with errors: see lib.forms."""
        ask_for_the_file_again(self, "photo")

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalise_mobile(phone) if phone else ""

    def clean_species(self):
        """The species a page sent it about, or None: a stale slug is dropped."""
        slug = self.cleaned_data["species"]
        return Species.objects.filter(slug=slug).first() if slug else None

    @property
    def about_species(self):
        """The species it is about, for the page to name; None if none."""
        if self.is_bound:
            slug = self.data.get(self.add_prefix("species"), "")
            return Species.objects.filter(slug=slug).first() if slug else None
        return self._about


def _is_pk(value):
    """Whether a posted or pre-filled value can be a primary key."""
    return isinstance(value, (str, int)) and str(value).isdigit()


class RatingForm(PublicForm):
    """The submitter's rating of the answer to their closed suggestion."""

    honeypot_message = _("Your rating could not be sent. Please try again.")

    rating = forms.ChoiceField(
        label=_("Are you satisfied with how your suggestion was answered?"),
        choices=Suggestion.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one answer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [
            (value, capfirst(label)) for value, label in Suggestion.Rating.choices
        ]


SCORES = [(5, _("5 · very good")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 · poor"))]


class SurveyForm(PublicForm):
    """
    One answer to the open survey round: the four questions (QUESTIONS,
    SurveyAnswer's own labels), each 1–5, and an optional comment.
    """

    honeypot_message = _("Your answer could not be sent. Please try again.")

    comment = CleanTextField(
        label=_("Anything else you want to tell us? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scored = {}
        for question in QUESTIONS:
            scored[question] = forms.TypedChoiceField(
                label=SurveyAnswer._meta.get_field(question).verbose_name,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose a score from 1 to 5.")},
            )
        # The questions first, then the comment and the honeypot.
        self.fields = {**scored, **self.fields}

    @property
    def questions(self):
        return [self[question] for question in QUESTIONS]

    @property
    def scores(self):
        return {question: self.cleaned_data[question] for question in QUESTIONS}
