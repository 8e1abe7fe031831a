"""
Background work of the events app (django.tasks): the messages to
volunteers leave the request, and a worker sends them
(`manage.py db_worker`, started by `make run` and by the service of
docs/DEPLOY.md).

Each task takes primary keys and calls a service (STYLE §2); the service
decides whether the message is still due.
"""

from django.tasks import task

from . import services


@task
def send_signup_message(signup_id, kind, seats=0, attempt=1):
    """Send the message of kind to the sign-up signup_id (services.send_message)."""
    services.send_message(signup_id=signup_id, kind=kind, seats=seats, attempt=attempt)
