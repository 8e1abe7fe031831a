"""
Background work of the artworks app (django.tasks): a work's display image
and thumbnail are drawn by a worker (`manage.py db_worker`), not in the
request that brought the picture.

Each task takes primary keys and calls a service (STYLE §2).
"""

from django.tasks import task

from . import services


@task
def make_renditions(artwork_id, attempt=1):
    """Draw the pictures of the work artwork_id (services.make_renditions)."""
    services.make_renditions(artwork_id=artwork_id, attempt=attempt)
