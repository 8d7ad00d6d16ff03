"""The usage import (`import_usage`): any CSV text is a result or UsageImportError."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights.usage import UsageImportError, usage_import
from tests.fuzz.strategies import FUZZ, NASTY, TEXT

pytestmark = pytest.mark.django_db

HEADERS = st.sampled_from(
    [
        "email,last_activity_date",
        "User Principal Name,Display Name,Last activity date (UTC),"
        "Last activity date of Word Copilot (UTC)",
        "Report Refresh Date,User Principal Name,Last Activity Date",
        "",
        "x,y",
    ]
)
CELLS = st.one_of(
    TEXT, st.sampled_from(["a@example.com", "2026-11-30", "2026-11-30T10:00:00Z", "0" * 32])
)


@FUZZ
@given(HEADERS, st.lists(st.lists(CELLS, max_size=6), max_size=8))
def test_any_usage_csv(db, header, rows):
    lines = [header + "\n"] + [
        ",".join('"' + c.replace('"', '""') + '"' for c in row) + "\n" for row in rows
    ]
    try:
        usage_import(lines=lines, dry_run=True)
    except UsageImportError as exc:
        assert exc.errors and all(isinstance(e, str) for e in exc.errors)


@FUZZ
@given(st.lists(st.one_of(NASTY, TEXT), max_size=30).map("".join))
def test_any_text(db, text):
    import io

    try:
        usage_import(lines=io.StringIO(text, newline=""), dry_run=True)
    except UsageImportError as exc:
        assert exc.errors
