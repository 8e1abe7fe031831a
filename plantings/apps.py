from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlantingsConfig(AppConfig):
    name = "plantings"
    verbose_name = _("Donations and plantings")
