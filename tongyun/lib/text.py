"""
Text as people type it, made safe to store, show and export: the one rule
for every text field, public and staff.

- Normalised: NFC for what people write (names, titles, descriptions),
  which keeps the full-width punctuation of Chinese text ("：", "（）") as
  typed; NFKC for codes (phones, e-mail addresses, slugs, one-time codes),
  where full-width digits and letters typed with a Chinese input method
  mean the ASCII ones.
- Control characters (Unicode category Cc) other than ordinary whitespace
  are refused: nobody types them; they come from copying out of another
  program or from a script, and they break exports (a spreadsheet cell may
  not hold U+0001) and logs. Ordinary whitespace is a tab or a line break
  in text of several lines, and becomes a space in a line of text.
- Format characters (Cf) are invisible and are dropped: zero-width spaces,
  soft hyphens, byte-order marks, and the bidirectional overrides and
  isolates that make text show in another order than it is stored
  (U+202E turns "gpj.exe" into "exe.jpg"). Dropping them changes nothing a
  reader sees, except where text was made to look like something else.
  Kept: the zero-width joiner between two emoji (man, joiner, woman,
  joiner, girl is one family emoji, not three people) and the tags of a
  subdivision flag (the black flag and tags make the flag of England).
- Text that was not empty but is once the invisible characters are gone
  is refused: a title of zero-width spaces would show as nothing.

Private-use characters stay: some input methods map rare characters of
Chinese names (生僻字) there.

clean_text() applies the rule and refuses; normalise_text() applies it
without refusing, for writes no person waits on (the models' save(), the
last guard); spreadsheet_text() makes stored text safe for a spreadsheet
file, whatever was stored before the rule.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTER = _(
    "This text contains an invisible control character that cannot be saved "
    "(perhaps copied from another program). Please type it again."
)
INVISIBLE_ONLY = _(
    "This text consists only of invisible characters. Please type it again."
)

# Line breaks as browsers and editors write them (CR LF, CR, LF, and the
# Unicode line and paragraph separators); in text of several lines each
# becomes "\n", in a line of text a space.
LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
ZWJ = "\u200d"
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)  # tag characters and CANCEL TAG


def _is_pictographic(char):
    """An emoji or other symbol that a joiner may join (approximately)."""
    return unicodedata.category(char) == "So"


def _joins_emoji(text, index):
    """Whether the joiner at index stands between two emoji."""
    before = index - 1
    # Skip what modifies the emoji before it: VS16 (Mn), skin tones (Sk).
    while before >= 0 and unicodedata.category(text[before]) in ("Mn", "Sk"):
        before -= 1
    after = index + 1
    return (
        before >= 0
        and after < len(text)
        and _is_pictographic(text[before])
        and _is_pictographic(text[after])
    )


def _in_flag(text, index):
    """Whether the tag character at index belongs to a 🏴 subdivision flag."""
    start = index
    while start > 0 and ord(text[start - 1]) in TAGS:
        start -= 1
    return start > 0 and text[start - 1] == BLACK_FLAG


def _kept_format_character(text, index):
    char = text[index]
    if char == ZWJ:
        return _joins_emoji(text, index)
    return ord(char) in TAGS and _in_flag(text, index)


def _whitespace(value, multiline):
    """Line breaks and tabs as the field takes them."""
    if multiline:
        return LINE_BREAKS.sub("\n", value)
    return LINE_BREAKS.sub(" ", value).replace("\t", " ")


def _controls(value, multiline):
    """The control characters of value that are not whitespace it keeps."""
    allowed = "\t\n" if multiline else ""
    return [c for c in value if unicodedata.category(c) == "Cc" and c not in allowed]


def normalise_text(value, *, multiline=False, compatibility=False):
    """
    value with the rule applied and nothing refused: normalised (NFKC with
    compatibility, else NFC), line breaks and tabs as the field takes them,
    format characters and other control characters dropped. Anything that
    is not a str is returned as it is.
    """
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFKC" if compatibility else "NFC", value)
    value = _whitespace(value, multiline)
    allowed = "\t\n" if multiline else ""
    return "".join(
        char
        for index, char in enumerate(value)
        if not (
            (unicodedata.category(char) == "Cc" and char not in allowed)
            or (
                unicodedata.category(char) == "Cf"
                and not _kept_format_character(value, index)
            )
        )
    )


def clean_text(value, *, multiline=False, compatibility=False):
    """
    value as normalise_text() leaves it; refused (ValidationError, code
    control_character) when it holds a control character other than
    whitespace, or (code invisible_only) when it held something and nothing
    visible is left. Leading and trailing whitespace stay: forms strip it.
    """
    if not isinstance(value, str):
        return value
    if _controls(_whitespace(value, multiline), multiline):
        raise ValidationError(CONTROL_CHARACTER, code="control_character")
    cleaned = normalise_text(value, multiline=multiline, compatibility=compatibility)
    if value.strip() and not cleaned.strip():
        raise ValidationError(INVISIBLE_ONLY, code="invisible_only")
    return cleaned


# What a spreadsheet file (XML inside an XLSX) cannot hold, or should not:
# control characters other than tab and line breaks (openpyxl refuses those
# below U+0020 with IllegalCharacterError), lone surrogates and the two
# non-characters XML excludes.
NOT_IN_SPREADSHEETS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)


def spreadsheet_text(value):
    """
    value without what a spreadsheet file cannot hold, so that an export
    never fails on text stored before the rule; anything else as it is.
    """
    if isinstance(value, str):
        return NOT_IN_SPREADSHEETS.sub("", value)
    return value
