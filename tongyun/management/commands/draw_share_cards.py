from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongyun.lib import posters

# The cards pages name as og:image when their object has no picture of its
# own (templates/includes/share_meta.html): the wide one, and a square one
# for where a square is asked for.
CARDS = {
    "share-card.png": posters.CARD_SIZE,
    "share-square.png": (600, 600),
}


class Command(BaseCommand):
    help = (
        "Draw the site's share cards (static/img/share-card.png and "
        "share-square.png) again, after a change to the name or the colours. "
        "Needs a font with Chinese."
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
        self.stdout.write(f"Drew {len(CARDS)} share cards in static/img/.")
