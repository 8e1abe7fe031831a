"""Works in the admin: review from thumbnails, moderation, the submitter's phone."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, ngettext_lazy, pgettext
from django.utils.translation import gettext_lazy as _

from gardens.access import CommunityScopedAdmin
from tongyun.lib.admin import PhoneAdminMixin, confirm_action
from tongyun.lib.history_admin import HistoryAdminMixin
from tongyun.lib.labels import MAX_LABELS, sheet_response

from .. import labels, services
from ..admin_forms import ArtworkForm, RejectForm
from ..models import ARTWORK_PATH, Artwork

THUMB_BOX = 120  # px: the changelist's thumbnails fit in this square
PREVIEW_BOX = 480  # px: the change page's picture fits in this square
Status = Artwork.Status


def _fit(width, height, box):
    """width × height scaled down to fit a box × box square; None if unknown."""
    if not width or not height:
        return None, None
    scale = min(1, box / max(width, height))
    return round(width * scale), round(height * scale)


def _when(value):
    """A moment as a short date over its time, narrow enough for a column."""
    local = timezone.localtime(value)
    return format_html(
        '<span class="nowrap">{}</span><br>{}', f"{local:%Y-%m-%d}", f"{local:%H:%M}"
    )


def _no_picture(artwork):
    """What stands instead of a work's picture until it is drawn."""
    if artwork.picture_state == Artwork.Picture.UNREADABLE:
        text = gettext("The picture could not be read: ask the submitter again.")
    else:
        text = gettext("Picture being prepared…")
    return format_html(
        '<span class="artwork-picture-{}">{}</span>', artwork.picture_state, text
    )


def _moderation_action(status, description, done):
    """
    An admin action that gives the selected works status through
    services.moderate (which records the reviewer) and says how many
    changed: done is an ngettext_lazy() message numbered by "count".
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        result = services.moderate(queryset, status=status, by=request.user)
        if result.changed:
            message = done.format(count=result.changed)
            modeladmin.message_user(request, message, messages.SUCCESS)
        if result.refused:
            _say_refused(modeladmin, request, result.refused)

    return action


def _say_refused(modeladmin, request, count):
    refused = ngettext(
        "{count} work was left as it was: its picture is still being prepared "
        "or could not be read, so it cannot be shown in the gallery.",
        "{count} works were left as they were: their pictures are still being "
        "prepared or could not be read, so they cannot be shown in the gallery.",
        count,
    )
    modeladmin.message_user(request, refused.format(count=count), messages.WARNING)


class StatusFilter(admin.SimpleListFilter):
    """
    The works' status; the list opens on the works waiting for review, and
    "All" shows every work.
    """

    title = _("status")
    parameter_name = "status__exact"  # the links of CallAdmin.works use it
    ALL = "all"

    def lookups(self, request, model_admin):
        return Status.choices

    def value(self):
        return super().value() or Status.PENDING

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string(
                {self.parameter_name: self.ALL}
            ),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }


@admin.register(Artwork)
class ArtworkAdmin(HistoryAdminMixin, PhoneAdminMixin, CommunityScopedAdmin):
    community_path = ARTWORK_PATH
    personal_data_permission = "artworks.view_personal_data"
    form = ArtworkForm
    list_display = [
        "thumbnail_preview",
        "title",
        "artist_name",
        "category",
        "status",
        "call_title",
        "submitted",
        "reviewed",
    ]
    list_display_links = ["thumbnail_preview", "title"]
    list_filter = [StatusFilter, "picture_state", "category", "call", "is_minor"]
    list_select_related = ["call", "reviewed_by"]
    list_per_page = 50
    actions = [
        "approve",
        "feature",
        "reject",
        "back_to_pending",
        "redraw_pictures",
        "print_labels",
    ]
    actions_on_top = True
    actions_on_bottom = True
    search_fields = ["title", "artist_name", "class_name"]
    search_help_text = _(
        "A title, an artist, a class, or the last four digits of a phone."
    )
    readonly_fields = [
        "image_preview",
        "reviewed_by",
        "reviewed_at",
        "call",
        "masked_phone",
        "full_phone",
        "is_minor",
        "age_group",
        "guardian_consent",
        "submitted_at",
    ]
    fieldsets = [
        (
            _("Review"),
            {
                "fields": [
                    "image_preview",
                    "status",
                    "moderation_note",
                    ("reviewed_by", "reviewed_at"),
                ]
            },
        ),
        (
            _("The work"),
            {
                "fields": [
                    "call",
                    "title",
                    "category",
                    "artist_name",
                    "class_name",
                    "community",
                    "description",
                ]
            },
        ),
        (
            _("Submitter"),
            {
                "fields": [
                    "masked_phone",
                    ("is_minor", "age_group", "guardian_consent"),
                    "submitted_at",
                ]
            },
        ),
    ]

    # --- Who may do what

    def has_add_permission(self, request):
        # Works come only through the public form, whose checks (window,
        # per-phone limit, image cleaning) the admin would skip.
        return False

    def view_on_site(self, artwork):
        # The public page of a work that is not public is a 404.
        return artwork.get_absolute_url() if artwork.is_public else None

    # --- The list

    def get_list_display(self, request):
        # A call's own list needs no call column.
        if request.GET.get("call__id__exact"):
            return [name for name in self.list_display if name != "call_title"]
        return self.list_display

    def changelist_view(self, request, extra_context=None):
        # The pictures need the width the site's menu would take; the menu
        # is one click away, on the home page and every other list.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("call"), ordering="call__opens_at")
    def call_title(self, artwork):
        title = artwork.call.title
        short = Truncator(title).chars(8)
        if short == title:
            return title
        return format_html('<span title="{}">{}</span>', title, short)

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, artwork):
        return _when(artwork.submitted_at)

    @admin.display(description=_("reviewed"), ordering="reviewed_at")
    def reviewed(self, artwork):
        if artwork.reviewed_at is None:
            return "—"
        if artwork.reviewed_by is None:
            return _when(artwork.reviewed_at)
        who = artwork.reviewed_by.get_username()
        return format_html("{}<br>{}", who, _when(artwork.reviewed_at))

    # --- Pictures, through the image view

    @admin.display(description=_("picture"))
    def thumbnail_preview(self, artwork):
        if not artwork.has_picture:
            return _no_picture(artwork)
        width, height = _fit(
            artwork.thumbnail_width, artwork.thumbnail_height, THUMB_BOX
        )
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" loading="lazy" '
            'class="artwork-thumbnail">',
            reverse("artworks:image", args=[artwork.pk, "thumb"]),
            width or THUMB_BOX,
            height or THUMB_BOX,
        )

    @admin.display(description=_("picture"))
    def image_preview(self, artwork):
        if not artwork.has_picture:
            return _no_picture(artwork)
        url = reverse("artworks:image", args=[artwork.pk, "display"])
        width, height = _fit(artwork.image_width, artwork.image_height, PREVIEW_BOX)
        if width:
            caption = gettext(
                "{width} × {height} pixels; click the picture to see it whole."
            ).format(width=artwork.image_width, height=artwork.image_height)
        else:
            caption = gettext("Click the picture to see it whole.")
        return format_html(
            '<a href="{url}" target="_blank" rel="noopener">'
            '<img src="{url}" alt="" width="{width}" height="{height}" '
            'class="artwork-preview"></a><br>{caption}',
            url=url,
            width=width or PREVIEW_BOX,
            height=height or PREVIEW_BOX,
            caption=caption,
        )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Deleting sits on a work's own page, away from approve and feature.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    # --- Saving and deleting

    def save_model(self, request, obj, form, change):
        # Write only what this form changed, so that a moderation made from
        # the list meanwhile is not undone; a new status goes through the
        # service, which records the reviewer.
        fields = [name for name in form.changed_data if name != "status"]
        if fields:
            obj.save(update_fields=fields)
        if "status" in form.changed_data:
            services.moderate(
                Artwork.objects.filter(pk=obj.pk), status=obj.status, by=request.user
            )
            obj.refresh_from_db(fields=["status", "reviewed_by", "reviewed_at"])

    # The service deletes the files too, once the deletion commits.

    def delete_model(self, request, obj):
        services.delete_artworks(Artwork.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_artworks(queryset)

    # --- Actions: one click for a page of works

    approve = _moderation_action(
        Status.APPROVED,
        _("Approve: show in the gallery"),
        ngettext_lazy(
            "{count} work approved: it is in the gallery now.",
            "{count} works approved: they are in the gallery now.",
            "count",
        ),
    )
    feature = _moderation_action(
        Status.FEATURED,
        _("Feature: show first in the gallery"),
        ngettext_lazy(
            "{count} work featured: it is shown first in the gallery.",
            "{count} works featured: they are shown first in the gallery.",
            "count",
        ),
    )

    @admin.action(
        description=_("Reject: keep out of the gallery"), permissions=["change"]
    )
    def reject(self, request, queryset):
        """
        First a page asking for an optional note to the submitters; its
        POST (with "apply") rejects the works through services.moderate.
        """
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["moderation_note"] or None
            count = services.moderate(
                queryset, status=Status.REJECTED, by=request.user, note=note
            ).changed
            done = ngettext(
                "{count} work not accepted: it stays out of the gallery.",
                "{count} works not accepted: they stay out of the gallery.",
                count,
            )
            self.message_user(request, done.format(count=count), messages.SUCCESS)
            return None
        works = list(queryset.select_related("call"))
        return confirm_action(
            self,
            request,
            action="reject",
            form=form,
            rows=works,
            describe=lambda work: (
                f"{work.title} · {work.artist_name} · {work.call.title}"
            ),
            title=ngettext(
                "Reject {count} work", "Reject {count} works", len(works)
            ).format(count=len(works)),
            intro=gettext("These works will be kept out of the gallery:"),
            submit_label=gettext("Reject"),
        )

    back_to_pending = _moderation_action(
        Status.PENDING,
        _("Back to waiting for review"),
        ngettext_lazy(
            "{count} work is waiting for review again.",
            "{count} works are waiting for review again.",
            "count",
        ),
    )

    @admin.action(description=_("Prepare the pictures again"), permissions=["change"])
    def redraw_pictures(self, request, queryset):
        """For works whose pictures the worker gave up on (a storage that
        failed): queue them again (services.redraw_pictures)."""
        count = services.redraw_pictures(queryset)
        done = ngettext(
            "The picture of {count} work will be prepared again.",
            "The pictures of {count} works will be prepared again.",
            count,
        )
        self.message_user(request, done.format(count=count), messages.SUCCESS)

    # Seeing the works is enough to print their exhibition labels.
    @admin.action(description=_("Print QR labels (PDF)"), permissions=["view"])
    def print_labels(self, request, queryset):
        """
        As tongyun.lib.labels.print_labels_action, but refused, with the
        titles, when a selected work is not on show: its label's code would
        lead to a page that is not there.
        """
        works = list(queryset.for_labels()[: MAX_LABELS + 1])
        if hidden := labels.not_on_show(works):
            titles = [work.title for work in hidden[:5]]
            if len(hidden) > 5:
                titles.append("…")
            refused = ngettext(
                "{count} selected work is not on show ({titles}): labels are "
                "printed for approved and featured works only. Nothing was printed.",
                "{count} selected works are not on show ({titles}): labels are "
                "printed for approved and featured works only. Nothing was printed.",
                len(hidden),
            )
            separator = pgettext("list separator", ", ")
            message = refused.format(count=len(hidden), titles=separator.join(titles))
            self.message_user(request, message, messages.ERROR)
            return None
        return sheet_response(
            self,
            request,
            works,
            render=labels.exhibition_sheet,
            filename="artwork-labels.pdf",
        )
