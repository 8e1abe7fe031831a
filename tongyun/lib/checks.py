"""Deployment checks of the project's own settings (`check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """
    SITE_URL begins every link in messages to volunteers (their tickets):
    outside local mode it must be the site's own https:// address, not the
    development default that points at the volunteer's own phone.
    """
    if settings.LOCAL_MODE or settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in messages to volunteers "
            "would not reach the site over HTTPS.",
            hint="Set SITE_URL to the site's address, e.g. https://garden.example.org",
            id="tongyun.W001",
        )
    ]
