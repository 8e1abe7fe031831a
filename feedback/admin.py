"""
Staff answer residents' suggestions and run the survey's rounds.

Suggestions come only through the public form; here staff accept them,
mark them done or decline them (with a reason: the public reply) through
services.change_status, which records who handled them and when. The
suggestion admin is registered by the site layer (tongyun.admin), which
adds what answered each suggestion (a planting, an event): feedback may
not know those. Survey answers are read, never edited.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from gardens.access import CommunityScopedAdmin
from tongyun.lib.admin import PhoneAdminMixin, ReadOnlyAdminMixin, confirm_action
from tongyun.lib.forms import CleanTextField
from tongyun.lib.history_admin import HistoryAdminMixin, HistoryListAdmin

from . import services
from .models import QUESTIONS, SUGGESTION_PATH, Suggestion, SurveyAnswer, SurveyRound

Status = Suggestion.Status


class DeclineForm(forms.Form):
    """The page that declining asks first: the reason, as the public reply."""

    reply = CleanTextField(
        label=capfirst(Suggestion._meta.get_field("reply").verbose_name),
        help_text=_(
            "Say why: each submitter sees it on their page, and everyone on the board."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("A declined suggestion needs a reason.")},
    )


def _report(modeladmin, request, moved, done):
    """Say how many moved (done: an ngettext message) and how many could not."""
    modeladmin.message_user(request, done.format(count=moved.changed), messages.SUCCESS)
    if moved.refused:
        refused = ngettext(
            "{count} suggestion was left as it was: its status only moves "
            "forward, and declining needs a reply.",
            "{count} suggestions were left as they were: a status only moves "
            "forward, and declining needs a reply.",
            moved.refused,
        )
        modeladmin.message_user(
            request, refused.format(count=moved.refused), messages.WARNING
        )


def _describe(suggestion):
    """A suggestion in one line, for the page that asks before declining."""
    place = suggestion.garden or "—"
    return f"{suggestion.get_category_display()} · {place} · {suggestion.text[:60]}"


def _status_action(status, description, done):
    """
    An admin action that moves the selected suggestions to status through
    services.change_status (which records the clerk) and says how many
    moved: done is an ngettext_lazy() message numbered by "count".
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        moved = services.change_status(queryset, status=status, by=request.user)
        _report(modeladmin, request, moved, done)

    return action


class SuggestionAdmin(HistoryAdminMixin, PhoneAdminMixin, CommunityScopedAdmin):
    """Registered with its outcomes inline by the site layer (tongyun.admin)."""

    community_path = SUGGESTION_PATH
    personal_data_permission = "feedback.view_personal_data"
    list_display = [
        "short_text",
        "category",
        "status",
        "garden",
        "zone",
        "submitted_at",
        "answered_at",
        "rating",
    ]
    list_display_links = ["short_text"]
    list_filter = ["status", "category", "garden", "rating", "submitted_at"]
    list_select_related = ["garden", "zone"]
    date_hierarchy = "submitted_at"
    search_fields = ["text", "reply", "zone__code", "garden__name"]
    search_help_text = _(
        "Words of a suggestion or reply, a zone's code, or the last four "
        "digits of a phone."
    )
    actions = ["accept", "mark_done", "decline"]
    readonly_fields = [
        "text",
        "species",
        "photo_preview",
        "masked_phone",
        "full_phone",
        "submitted_at",
        "answered_at",
        "closed_at",
        "handled_by",
        "rating",
        "rated_at",
    ]
    fieldsets = [
        (
            _("Answer"),
            {"fields": ["status", "reply", ("answered_at", "closed_at"), "handled_by"]},
        ),
        (
            _("The suggestion"),
            {
                "fields": [
                    "category",
                    "text",
                    "garden",
                    "zone",
                    "species",
                    "photo_preview",
                ]
            },
        ),
        (
            _("Submitter"),
            {"fields": ["masked_phone", "submitted_at", ("rating", "rated_at")]},
        ),
    ]

    def has_add_permission(self, request):
        # Suggestions come only through the public form, whose checks
        # (photo cleaning, rate limits) the admin would skip.
        return False

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("suggestion"))
    def short_text(self, suggestion):
        return str(suggestion.text)[:40]

    @admin.display(description=_("photo"))
    def photo_preview(self, suggestion):
        if not suggestion.photo:
            return "—"
        return format_html(
            '<a href="{url}" target="_blank" rel="noopener"><img src="{url}" alt="" '
            'width="240" class="suggestion-preview"></a>',
            url=reverse("feedback:photo", args=[suggestion.pk]),
        )

    def save_model(self, request, obj, form, change):
        # A new status goes through the model's move, which sets when it was
        # first answered and closed, and who handled it; the form's clean
        # refused a move back already.
        if change and "status" in form.changed_data:
            new = obj.status
            obj.status = obj._stored_status
            obj.move_to(new, by=request.user)
        super().save_model(request, obj, form, change)

    # --- Actions

    accept = _status_action(
        Status.ACCEPTED,
        _("Accept: staff take it up"),
        ngettext_lazy(
            "{count} suggestion accepted.", "{count} suggestions accepted.", "count"
        ),
    )
    mark_done = _status_action(
        Status.DONE,
        _("Mark done"),
        ngettext_lazy(
            "{count} suggestion marked done.",
            "{count} suggestions marked done.",
            "count",
        ),
    )

    @admin.action(description=_("Decline, saying why"), permissions=["change"])
    def decline(self, request, queryset):
        """
        First a page asking for the reason (the public reply); its POST
        (with "apply") declines through services.change_status.
        """
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            moved = services.change_status(
                queryset,
                status=Status.DECLINED,
                by=request.user,
                reply=form.cleaned_data["reply"],
            )
            done = ngettext(
                "{count} suggestion declined.",
                "{count} suggestions declined.",
                moved.changed,
            )
            _report(self, request, moved, done)
            return None
        suggestions = list(queryset.select_related("garden"))
        return confirm_action(
            self,
            request,
            action="decline",
            form=form,
            rows=suggestions,
            describe=_describe,
            title=ngettext(
                "Decline {count} suggestion",
                "Decline {count} suggestions",
                len(suggestions),
            ).format(count=len(suggestions)),
            intro=gettext(
                "These suggestions will be declined, with the reply below shown "
                "on the board and to each submitter:"
            ),
            submit_label=gettext("Decline"),
        )


@admin.register(SurveyRound)
class SurveyRoundAdmin(HistoryAdminMixin, CommunityScopedAdmin):
    """The survey's rounds, every community's: the street office runs them."""

    list_display = [
        "title",
        "opens_at",
        "closes_at",
        "answer_count",
        "min_answers",
        "is_demo",
    ]
    list_filter = ["is_demo"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "opens_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_total=Count("answers"))

    @admin.display(description=_("answers"), ordering="answer_total")
    def answer_count(self, survey_round):
        return survey_round.answer_total


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnlyAdminMixin, CommunityScopedAdmin):
    """Answers as residents gave them: read, never edited."""

    list_display = ["answered_at", "round", *QUESTIONS, "comment"]
    list_filter = ["round"]
    list_select_related = ["round"]
    search_fields = ["comment"]
    exclude = ["browser_digest"]


@admin.register(Suggestion.history.model)
class SuggestionHistoryAdmin(HistoryListAdmin):
    personal_data_permission = "feedback.view_personal_data"
    search_fields = ["text"]


@admin.register(SurveyRound.history.model)
class SurveyRoundHistoryAdmin(HistoryListAdmin):
    search_fields = ["title", "title_en"]
