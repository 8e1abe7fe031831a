"""Admin pieces shared by the apps: phone numbers, photos, spreadsheets."""

import contextlib
import re

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core import checks
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongyun.lib import phones
from tongyun.lib.dates import today
from tongyun.lib.forms import ask_for_the_file_again
from tongyun.lib.spreadsheets import CSV, XLSX, UnknownEncoding

# A run of Chinese characters, or of letters and digits: "紫荆园A1" is two
# terms, as "紫荆园 A1" is; arrows, colons and dots between them are not terms.
TERM = re.compile(r"[\u3400-\u9fff]+|[^\W_]+")


def search_terms(text):
    """The words of a search box, split where Chinese meets letters or digits."""
    return TERM.findall(text)


class SplitSearchMixin:
    """
    A model admin whose search (and autocomplete) finds a row by the words
    of its label in any order, typed with or without spaces: each term
    (search_terms) must match one of search_fields.
    """

    def get_search_results(self, request, queryset, search_term):
        terms = " ".join(search_terms(search_term))
        return super().get_search_results(request, queryset, terms)


class SpreadsheetExportMixin:
    """
    An import-export model admin whose exports are tongyun.lib.spreadsheets'
    CSV and XLSX, named by Beijing's date (import-export names them by the
    server's UTC date).
    """

    export_formats = [CSV, XLSX]

    def export_file_stem(self, request):
        """The export's file name before its date: "donations"."""
        return f"{self.opts.model_name}s"

    def get_export_filename(self, request, queryset, file_format):
        stem = self.export_file_stem(request)
        return f"{stem}-{today():%Y-%m-%d}.{file_format.get_extension()}"


class SpreadsheetAdminMixin(SpreadsheetExportMixin):
    """
    SpreadsheetExportMixin for an admin that imports too: the same formats,
    and an import page that says which encoding a file was read in, how
    many of its rows are new, changed and unchanged, or why it could not be
    read, in the user's language.
    """

    import_formats = [CSV, XLSX]
    import_template_name = "admin/spreadsheet_import.html"

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "form" in context and not context.get("fields_list"):
            # import-export lists no columns when a file could not be read,
            # which leaves "this import expects these columns:" hanging.
            resource_kwargs = self.get_import_resource_kwargs(request)
            context["fields_list"] = [
                (
                    resource.get_display_name(),
                    [field.column_name for field in resource.get_user_visible_fields()],
                )
                for resource in (
                    resource_class(**resource_kwargs)
                    for resource_class in self.get_import_resource_classes(request)
                )
            ]
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        # import-export's message names the exception, in English.
        if isinstance(e, UnknownEncoding):
            message = str(e)
        else:
            message = gettext(
                "The file could not be read. Check that it is a CSV file or an "
                "Excel workbook (.xlsx) and that the format chosen matches it."
            )
        form.add_error("import_file", message)


class ReadOnlyAdminMixin:
    """A model admin of records, which nobody adds, changes or deletes by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FilesAgainAdminMixin:
    """
    A model admin with a photo (or any file) field: when its page comes
    back with errors, in the form or in an inline, each file that had been
    chosen is asked for again under its field, as on the public forms.
    """

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        inlines_have_errors = any(
            any(inline.formset.errors) or inline.formset.non_form_errors()
            for inline in context.get("inline_admin_formsets", [])
            if inline.formset.is_bound
        )
        files = [
            name
            for name, field in form.fields.items()
            if isinstance(field, forms.FileField)
        ]
        ask_for_the_file_again(form, *files, errors_elsewhere=inlines_have_errors)
        return super().render_change_form(request, context, *args, **kwargs)


class PhoneAdminMixin:
    """
    A model admin whose rows carry a `phone`: shown masked unless the user
    may see personal data (its fieldsets' masked_phone becomes full_phone),
    and found by its last four digits (or, for those who may see it, by the
    whole number).

    Each admin names in `personal_data_permission` ("app_label.codename")
    the permission of its own app that unveils whole numbers; the system
    check refuses an admin that names none, or another app's.
    """

    # No default: each app owns the permission to see its residents' phones.
    personal_data_permission: str

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_personal_data_permission()]

    def _check_personal_data_permission(self):
        app_label = self.model._meta.app_label
        permission = getattr(self, "personal_data_permission", None)
        declared = {
            f"{app_label}.{codename}"
            for model in self.model._meta.app_config.get_models()
            for codename, _name in model._meta.permissions
        }
        if permission in declared:
            return []
        return [
            checks.Error(
                f"personal_data_permission must name a permission that the "
                f"{app_label} app declares in a model's Meta.permissions, "
                f"not {permission!r}.",
                hint=f"Set e.g. personal_data_permission = "
                f'"{app_label}.view_personal_data".',
                obj=self.__class__,
                id="tongyun.E001",
            )
        ]

    def shows_personal_data(self, request):
        return request.user.has_perm(self.personal_data_permission)

    def get_fieldsets(self, request, obj=None):
        """The fieldsets, masked_phone shown in full to those who may see it."""
        fieldsets = super().get_fieldsets(request, obj)
        if not self.shows_personal_data(request):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "full_phone" if field == "masked_phone" else field
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return phones.for_staff(obj.phone, full=False) or "—"

    @admin.display(description=_("phone"), ordering="phone")
    def full_phone(self, obj):
        # Non-breaking spaces keep "138 0013 8000" on one line.
        shown = phones.for_staff(obj.phone, full=True)
        return shown.replace(" ", "\N{NO-BREAK SPACE}") or "—"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        digits = re.sub(r"[\s-]", "", search_term)
        if re.fullmatch(r"[0-9]{4}", digits):
            results |= queryset.filter(phone__endswith=digits)
        elif self.shows_personal_data(request):
            # Not a phone number? The other fields were searched already.
            with contextlib.suppress(ValidationError):
                results |= queryset.filter(phone=phones.normalise_mobile(digits))
        return results, may_have_duplicates


def confirm_action(
    modeladmin, request, *, action, form, rows, describe, title, intro, submit_label
):
    """
    The page an action shows before it acts (admin/action_confirmation.html):
    rows (the selected objects), each described by describe(row), with
    form (e.g. the reason to give) and submit_label on the button, which
    posts the action back to the list as it was, with "apply".
    """
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": modeladmin.opts,
        "form": form,
        "items": [describe(row) for row in rows],
        "pks": [row.pk for row in rows],
        "action": action,
        "submit_label": submit_label,
        "body_class": f"{action}-confirmation",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        # The list as it was, with its filters: the form posts back to it.
        "changelist_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/action_confirmation.html", context)
