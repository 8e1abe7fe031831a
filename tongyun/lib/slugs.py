"""Web addresses (slugs) made from Chinese or English text."""

import itertools
import re

from django.utils.text import slugify
from pypinyin import lazy_pinyin

HAN = re.compile(r"[\u3400-\u9fff]")


def pinyin_slug(text):
    """
    A slug of text with its Chinese characters in pinyin, without tones:
    "护绿日 Care Day" → "hulvri-care-day". The syllables of a run of Chinese
    characters are written together, as the gardens' own slugs are
    ("mudanyuan"); ü is written v, as on Chinese keyboards.
    """
    words = []
    run = []
    for piece in lazy_pinyin(text):
        if piece and HAN.search(piece) is None and piece.isalpha() and piece.islower():
            run.append(piece)  # a syllable of pinyin
            continue
        words.append("".join(run))
        words.append(piece)
        run = []
    words.append("".join(run))
    return slugify(" ".join(words))


def unique_slug(base, *, taken, max_length=50):
    """
    base, cut to max_length, or the first of base-2, base-3, … for which
    taken(slug) is false.
    """
    base = base[:max_length].strip("-")
    for number in itertools.count(1):
        suffix = "" if number == 1 else f"-{number}"
        slug = base[: max_length - len(suffix)].strip("-") + suffix
        if not taken(slug):
            return slug
    raise AssertionError("unreachable")
