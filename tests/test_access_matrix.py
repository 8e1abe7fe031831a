"""
The persona × model matrix (tests/access_matrix.py) against what is
expected (tests/access_matrix.md). A new admin model fails the test until its
row is written there.

How to read a cell: list "own" = only the own community's rows; "edit" /
"view" = the change page opens with or without saving; "403" / "404" /
"login" = refused; write other "no effect (codes)" = the POSTs of the
change form, the delete page and each action on the other community's row
changed nothing, answered with those statuses; export "1 of 2" = rows of the
CSV out of the two (one per community).
"""

import os
from pathlib import Path

import pytest

from tests.access_matrix import as_markdown, from_markdown, measure

pytestmark = pytest.mark.django_db

# The expected matrix, as the table the closing note of the issue shows.
EXPECTED = Path(__file__).with_name("access_matrix.md")


def test_access_matrix_holds_for_every_persona_and_admin_model():
    observed = measure()

    if path := os.environ.get("ACCESS_MATRIX"):
        Path(path).write_text(as_markdown(observed))
    expected = from_markdown(EXPECTED.read_text())
    for persona in expected:
        assert observed[persona] == expected[persona], persona
    assert observed.keys() == expected.keys()
