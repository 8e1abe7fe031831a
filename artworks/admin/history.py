"""
The street office's lists of every change of calls and works
(tongyun.lib.history_admin); each object's own history is on its page.
"""

from django.contrib import admin

from tongyun.lib.history_admin import HistoryListAdmin

from ..models import Artwork, Call


@admin.register(Call.history.model)
class CallHistoryAdmin(HistoryListAdmin):
    search_fields = ["title", "title_en", "slug"]


@admin.register(Artwork.history.model)
class ArtworkHistoryAdmin(HistoryListAdmin):
    personal_data_permission = "artworks.view_personal_data"
    # The words of its label, "牡丹 · 刘小雨".
    search_fields = ["title", "artist_name"]
