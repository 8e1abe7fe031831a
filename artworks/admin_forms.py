"""
The admin's forms for calls and for reviewing works.

The public submission form is forms.ArtworkForm; these serve staff only.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tongyun.lib.forms import CleanTextField

from . import services
from .models import Artwork, Call, Category


class CallForm(forms.ModelForm):
    """
    A call, its categories ticked as boxes and stored comma-separated.

    A call closing before it opens is refused by the model's constraint
    (code "closes_early"), shown above the form.
    """

    categories = forms.MultipleChoiceField(
        label=capfirst(Call._meta.get_field("categories").verbose_name),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "title_en",
            "slug",
            "organiser",
            "organiser_en",
            "theme",
            "theme_en",
            "species",
            "description",
            "description_en",
            "opens_at",
            "closes_at",
            "categories",
            "max_works_per_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.initial.get("categories", "")
        if isinstance(stored, str):
            self.initial["categories"] = [c for c in stored.split(",") if c]

    def clean_categories(self):
        chosen = set(self.cleaned_data["categories"])
        return ",".join(value for value in Category.values if value in chosen)


class ArtworkForm(forms.ModelForm):
    """What staff may change: the work's description and its moderation."""

    class Meta:
        model = Artwork
        fields = [
            "status",
            "moderation_note",
            "title",
            "category",
            "artist_name",
            "class_name",
            "community",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields.get("category")
        if category and self.instance.pk:
            # The call's categories, and the work's own should the call have
            # dropped it since.
            offered = self.instance.call.category_values + [self.instance.category]
            category.choices = [
                (value, label) for value, label in Category.choices if value in offered
            ]

    def clean(self):
        cleaned = super().clean()
        # Said beside the status; services.moderate refuses it again, locked.
        if "status" in self.changed_data:
            try:
                services.check_showable(self.instance, status=cleaned.get("status"))
            except ValidationError as refusal:
                self.add_error(None, refusal)
        return cleaned


class RejectForm(forms.Form):
    """The page that rejecting works asks first: an optional note to them."""

    moderation_note = CleanTextField(
        label=capfirst(Artwork._meta.get_field("moderation_note").verbose_name),
        help_text=_(
            "Optional. Each submitter sees it on the status page of their work, "
            "e.g. why the work was not accepted. Left empty, a work keeps any "
            "note it has."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
