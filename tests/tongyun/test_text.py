"""
The one text rule (tongyun.lib.text): normalised, control characters
refused, invisible characters dropped, nothing-but-invisible refused; and
spreadsheet cells that never fail on what was stored before the rule.
"""

import pytest
from django.core.exceptions import ValidationError

from tongyun.lib.text import clean_text, normalise_text, spreadsheet_text

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


def refusal(value, **options):
    with pytest.raises(ValidationError) as excinfo:
        clean_text(value, **options)
    return excinfo.value.code


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize(
    "control", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85"]
)
def test_control_characters_are_refused(control, multiline):
    assert refusal(f"李{control}华", multiline=multiline) == "control_character"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200e",  # left-to-right mark
        "\u00ad",  # soft hyphen
        "\ufeff",  # byte-order mark
        "\u2060",  # word joiner
        "\U000e0041",  # a tag character, invisible ASCII
    ],
)
def test_format_characters_are_dropped(invisible):
    assert clean_text(f"牡丹{invisible}盛放") == "牡丹盛放"


def test_a_right_to_left_override_cannot_reverse_a_name():
    assert clean_text("photo\u202egpj.exe") == "photo" + "gpj.exe"


@pytest.mark.parametrize("value", ["\u200b", "\u200b\u200b\u200c", " \u200b \u202e "])
def test_text_of_invisible_characters_only_is_refused(value):
    assert refusal(value) == "invisible_only"


def test_empty_text_stays_empty():
    assert clean_text("") == ""


def test_emoji_keep_their_joiners_and_flags_their_tags():
    assert clean_text(f"全家{FAMILY}来种花{ENGLAND}") == f"全家{FAMILY}来种花{ENGLAND}"
    # Between letters a joiner is only invisible.
    assert clean_text("种\u200d花") == "种花"


def test_chinese_full_width_punctuation_is_kept_as_typed():
    title = "牡丹：盛放（一）！１号"

    assert clean_text(title) == title


def test_codes_take_full_width_digits_and_letters_as_ascii():
    assert clean_text("１３８ ００１３ ８０００", compatibility=True) == "138 0013 8000"
    assert clean_text("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｏｒｇ", compatibility=True) == (
        "wang@example.org"
    )


def test_text_is_composed_nfc():
    assert clean_text("Ame\u0301lie") == "Amélie"


def test_private_use_characters_of_rare_names_are_kept():
    assert clean_text("王\ue000明") == "王\ue000明"


def test_lines_and_tabs_are_kept_in_text_of_several_lines():
    assert clean_text("第一行\r\n第二行\r第三行\u2028\t缩进", multiline=True) == (
        "第一行\n第二行\n第三行\n\t缩进"
    )


def test_a_line_of_text_takes_line_breaks_and_tabs_as_spaces():
    assert clean_text("李\n华\t同学") == "李 华 同学"


def test_normalise_text_drops_what_clean_text_refuses():
    assert normalise_text("李\x01华\u202e\u200b") == "李华"
    assert normalise_text(None) is None
    assert normalise_text(3) == 3


def test_spreadsheet_text_leaves_out_what_a_cell_cannot_hold():
    assert spreadsheet_text("李\x01华\x1f\ufffe") == "李华"
    assert spreadsheet_text("第一行\n第二行\t\r") == "第一行\n第二行\t\r"
    assert spreadsheet_text(5) == 5
