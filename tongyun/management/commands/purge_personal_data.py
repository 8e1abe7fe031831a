"""
The retention policy, run daily: one command for every app that keeps
personal data, composed here because events and artworks do not know each
other (tongyun.lib.retention holds the period).
"""

from django.core.management.base import BaseCommand

from artworks import services as artworks
from events import services as events
from feedback import services as feedback
from tongyun.lib.retention import retention_days


class Command(BaseCommand):
    help = (
        "Erase personal data kept for longer than RETENTION_DAYS (90 unless "
        "set): volunteers' phone numbers and e-mail addresses (names "
        "shortened) once their event ended that long ago; artwork submitters' "
        "contacts once their call closed that long ago, rejected works removed "
        "with their files, approved works staying in the gallery as credited; "
        "the phone numbers left with suggestions sent that long ago. "
        "From the rows and from their change history alike. Run it daily; "
        "running it again changes nothing."
    )

    def handle(self, *args, **options):
        days = retention_days()
        signups = events.purge_personal_data()
        works = artworks.purge_personal_data()
        suggestions = feedback.purge_personal_data()
        self.stdout.write(
            f"Sign-ups of events that ended more than {days} days ago: erased "
            f"personal data of {signups.signups} sign-ups and of "
            f"{signups.history} records in their history."
        )
        self.stdout.write(
            f"Artworks of calls that closed more than {days} days ago: erased "
            f"the submitters' contacts of {works.works} works, removed "
            f"{works.removed} rejected works with their files, and erased "
            f"{works.history} older records in their history."
        )
        self.stdout.write(
            f"Suggestions sent more than {days} days ago: erased the phone "
            f"numbers of {suggestions.suggestions} suggestions and of "
            f"{suggestions.history} older records in their history."
        )
