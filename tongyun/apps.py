from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TongyunConfig(AppConfig):
    name = "tongyun"
    verbose_name = _("Tongyun Garden City")
