"""The staff site: Django's admin, whose index opens on the work queue."""

from django.contrib import admin


class StaffSite(admin.AdminSite):
    """Django's admin site; its index adds tongyun.admin.work_queue()."""

    def index(self, request, extra_context=None):
        # Imported here: the apps' admin modules, which the work queue
        # uses, register themselves with this site as they load.
        from tongyun.admin import work_queue

        queue = work_queue(user=request.user)
        extra_context = {"work_queue": queue, **(extra_context or {})}
        return super().index(request, extra_context)
