"""The outline of a page: its headings' levels, and what is wrong with them."""

from html.parser import HTMLParser


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def heading_levels(html):
    """[1, 2, 2, 3, …]: the levels of html's headings, in order."""
    parser = _Headings()
    parser.feed(html)
    parser.close()
    return parser.levels


def outline_problems(html):
    """
    [str] what breaks the outline: not exactly one h1, a heading before
    it, or a level skipped going down (h1 → h3); going up any number of
    levels is fine.
    """
    levels = heading_levels(html)
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 headings, not one")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is an h{levels[0]}, not the h1")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} → h{after} skips a level")
    return problems
