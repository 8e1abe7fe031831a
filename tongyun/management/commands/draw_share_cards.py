from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongyun.lib import posters

# The card pages name as og:image when their object has no picture of its
# own (templatetags/share.py). WeChat shows a square from its middle: the
# card keeps its marks and name there.
CARDS = {"share-card.png": posters.CARD_SIZE}


class Command(BaseCommand):
    help = (
        "Draw the site's share card (static/img/share-card.png) again, after "
        "a change to the name or the colours. Needs a font with Chinese."
    )

    def handle(self, *args, **options):
        if posters.find_font() is None:
            raise CommandError(
                "No font with Chinese found: install fonts-noto-cjk or set POSTER_FONT."
            )
        folder = Path(settings.BASE_DIR) / "static" / "img"
        for name, size in CARDS.items():
            png = posters.draw_card(
                name="通运花园城", subtitle="Tongyun Garden City", size=size
            )
            (folder / name).write_bytes(png)
        self.stdout.write(f"Drew {len(CARDS)} share card(s) in static/img/.")
