from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TongyunConfig(AppConfig):
    default = True  # of the two configs here, the one "tongyun" names
    name = "tongyun"
    verbose_name = _("Tongyun Garden City")

    def ready(self):
        from django.core import checks

        from . import services
        from .lib import checks as deployment_checks  # noqa: F401 (registers them)
        from .lib.limits import check_shared_cache
        from .lib.pagecache import check_page_cache
        from .lib.posters import check_poster_font
        from .lib.signals import personal_data_exported

        personal_data_exported.connect(
            services.record_export, dispatch_uid="tongyun.record_export"
        )
        checks.register(check_shared_cache, checks.Tags.caches, deploy=True)
        checks.register(check_page_cache, checks.Tags.caches, deploy=True)
        # Both with and without --deploy: a missing font shows at once.
        checks.register(check_poster_font)


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the site whose index shows the work queue."""

    default = False

    default_site = "tongyun.sites.StaffSite"

    def ready(self):
        super().ready()  # every app's admin module registers its pages
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # django-otp's own device pages would show every user's unused backup
        # codes and let one add a device with a key of one's choosing for
        # someone else; they are English only too. Staff see their own second
        # step at admin:two_factor; `manage.py reset_2fa` removes a lost one.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)


class TaskResultsConfig(TasksAppConfig):
    """django_tasks_db, the queue of the background tasks, named in the
    admin in the staff's language."""

    default = False
    verbose_name = _("Background tasks")
