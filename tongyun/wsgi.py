"""WSGI entry point: ``gunicorn tongyun.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongyun.settings")

application = get_wsgi_application()
