"""
The admin index's work queue, composed in the site layer from each app's
own queries (the site is tongyun.sites.StaffSite).
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from artworks.models import Artwork
from events.admin.event import checkin_url
from events.models import Event, Signup


def work_queue(*, today=None):
    """
    What waits for staff: works to review, events with people on their
    waiting lists, and today's events. Three queries, whatever the data.
    """
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=1)
    pending = Artwork.Status.PENDING
    works = Artwork.objects.filter(status=pending).count()
    waiting = (
        Event.objects.upcoming()
        .with_signup_figures()
        .filter(waiting_count__gt=0)
        .order_by("starts_at")
    )
    todays = (
        Event.objects.filter(starts_at__lt=end, ends_at__gte=start)
        .exclude(status=Event.Status.DRAFT)
        .with_signup_figures()
        .order_by("starts_at")
    )
    waitlisted = {"status__exact": Signup.Status.WAITLISTED}
    return {
        "works_waiting": works,
        "works_url": reverse("admin:artworks_artwork_changelist")
        + "?"
        + urlencode({"status__exact": pending}),
        "waiting_lists": [
            (event, f"{checkin_url(event)}&{urlencode(waitlisted)}")
            for event in waiting
        ],
        "todays_events": [(event, checkin_url(event)) for event in todays],
    }
