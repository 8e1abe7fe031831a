from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TongyunConfig(AppConfig):
    default = True  # of the two configs here, the one "tongyun" names
    name = "tongyun"
    verbose_name = _("Tongyun Garden City")

    def ready(self):
        from . import services
        from .lib.signals import personal_data_exported

        personal_data_exported.connect(
            services.record_export, dispatch_uid="tongyun.record_export"
        )


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the site whose index shows the work queue."""

    default = False

    default_site = "tongyun.sites.StaffSite"
