"""
The street office's lists of every change of events and sign-ups
(tongyun.lib.history_admin); each object's own history is on its page.
"""

from django.contrib import admin

from tongyun.lib.history_admin import HistoryListAdmin

from ..models import Event, Signup


@admin.register(Event.history.model)
class EventHistoryAdmin(HistoryListAdmin):
    search_fields = ["title", "title_en", "slug"]


@admin.register(Signup.history.model)
class SignupHistoryAdmin(HistoryListAdmin):
    personal_data_permission = "events.view_personal_data"
    # The words of its label, "王小明 ×2 · 植树日".
    search_fields = ["name", "event__title"]
