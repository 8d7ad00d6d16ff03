"""Enrollment rows from CSV text and JSON: a result or line/column errors, nothing else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import EnrollmentImportError, RowError, csv_opener, rows_opener
from tests.factories import make_pack
from tests.fuzz.strategies import FUZZ, NASTY, TEXT

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,track,manager_email,buddy_email,start_date,timezone"
CELLS = st.one_of(
    TEXT,
    st.sampled_from(
        ["a@example.com", "finance-analyst", "2026-11-30", "UTC", "Europe/Paris", "exploratory"]
    ),
)


@pytest.fixture
def pack(db):
    return make_pack()


def _import(opener) -> None:
    try:
        enrollments_import(opener=opener, source="fuzz", dry_run=True)
    except EnrollmentImportError as exc:
        assert exc.errors and len(exc.errors) <= 100
        assert all(isinstance(e, RowError) and e.line >= 1 for e in exc.errors)


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=1, max_size=10), max_size=8))
def test_any_csv_rows(pack, rows):
    text = (
        HEADER
        + "\n"
        + "\n".join(
            ",".join(
                '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c
                for c in row
            )
            for row in rows
        )
    )

    def open_text():
        import contextlib
        import io

        return contextlib.nullcontext(io.StringIO(text, newline=""))

    _import(csv_opener(open_text))


@FUZZ
@given(st.lists(st.one_of(NASTY, TEXT), max_size=20).map("".join))
def test_any_text_as_a_csv_file(pack, text):
    import contextlib
    import io

    _import(csv_opener(lambda: contextlib.nullcontext(io.StringIO(text, newline=""))))


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(HEADER.split(",") + ["x", ""]), CELLS, max_size=8),
            TEXT,
            st.integers(),
        ),
        max_size=6,
    )
)
def test_any_json_rows(pack, rows):
    _import(rows_opener(rows))
