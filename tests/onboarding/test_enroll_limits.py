"""The enrollment row type under attack: the files in tests/data/attacks/enroll-*.csv give
line/column errors from the command and the API alike, nothing is written, error lists are
capped and a file of bad rows is checked in bounded memory (docs/security.md, "Input limits").
"""

import tracemalloc
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import EnrollmentImportError
from onboarding.models import Enrollment
from tests.factories import enablement_user, make_pack

pytestmark = pytest.mark.django_db

ATTACKS = Path(__file__).resolve().parents[1] / "data" / "attacks"
# file → the errors of its third line (the second is a good row), as "line: column: message"
EXPECTED = {
    "timezone-directory": ['3: timezone: "Europe" is not a timezone'],
    "timezone-300": ['3: timezone: "Europe/Europe/'],
    "start-9999": ["3: start_date: 9999-12-31 is more than 5 years from today"],
    "name-5000": ["3: name: is 5000 characters long; at most 200"],
    "name-nul": ["3: name: holds a line break, tab or other control character"],
    "name-crlf": ["3: name: holds a line break, tab or other control character"],
    "email-260": ["3: email: is 260 characters long; at most 150"],
    "emails-equal-in-150": [
        "3: email: is 173 characters long; at most 150",
        "4: email: is 173 characters long; at most 150",
    ],
}


@pytest.fixture
def pack():
    return make_pack()


def _command(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("enroll", str(path), stdout=StringIO(), stderr=err)
    return f"{err.getvalue()}{caught.value}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_attack_row_is_a_line_and_column_error_from_the_command(pack, name):
    path = ATTACKS / f"enroll-{name}.csv"
    output = _command(path)
    lines = output.splitlines()
    for expected in EXPECTED[name]:
        assert any(line.startswith(f"{path.name}:{expected}") for line in lines), output
    assert not any(line.startswith(f"{path.name}:2:") for line in lines), output
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_attack_row_is_a_line_and_column_error_from_the_api(pack, name):
    client = Client(raise_request_exception=False)
    client.force_login(enablement_user(username="author@example.com"))
    body = (ATTACKS / f"enroll-{name}.csv").read_bytes()
    response = client.post("/api/enrollments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400, response.content[:500]
    texts = [f"{e['line']}: {e['column']}: {e['message']}" for e in response.json()["errors"]]
    for expected in EXPECTED[name]:
        assert any(text.startswith(expected) for text in texts), texts
    assert Enrollment.objects.count() == 0


def test_a_timezone_must_be_a_zone_name_not_a_folder_or_a_path(pack):
    from onboarding import workdays

    for name in ("Europe", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe/" * 43, ""):
        with pytest.raises(ValueError):
            workdays.valid_timezone(name)
    assert str(workdays.valid_timezone("Europe/Paris")) == "Europe/Paris"


def _bad_rows(n: int):
    """A source of n bad rows (a start date nobody means), made as they are read."""

    @contextmanager
    def opener():
        yield (
            (
                i,
                {
                    "email": f"p{i}@example.com",
                    "role": "finance-analyst",
                    "start_date": "9999-12-31",
                },
            )
            for i in range(1, n + 1)
        )

    return opener


def test_the_error_list_is_capped_and_the_rest_counted(pack):
    with pytest.raises(EnrollmentImportError) as caught:
        enrollments_import(opener=_bad_rows(250), source="rows")
    exc = caught.value
    assert len(exc.errors) == 100 and exc.total == 250 and exc.more == 150
    assert exc.lines()[-1] == "… and 150 more error(s)"
    assert str(exc.errors[0]).startswith("rows:1: start_date: 9999-12-31 is more than 5 years")


def test_a_file_of_bad_rows_is_checked_in_bounded_memory(pack):
    tracemalloc.start()
    try:
        with pytest.raises(EnrollmentImportError) as caught:
            enrollments_import(opener=_bad_rows(30_000), source="rows")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.total == 30_000
    assert peak < 5 * 1024 * 1024  # bytes: nothing is kept per bad row


def test_the_api_answers_a_file_of_bad_rows_with_a_bounded_body(pack):
    client = Client()
    client.force_login(enablement_user(username="author@example.com"))
    rows = "".join(f"p{i}@example.com,P,finance-analyst,,,,9999-12-31,UTC\n" for i in range(5000))
    body = "email,name,role,track,manager_email,buddy_email,start_date,timezone\n" + rows
    response = client.post("/api/enrollments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400
    payload = response.json()
    assert payload["detail"] == "5000 error(s); the first 100 are listed; nothing was enrolled."
    assert len(payload["errors"]) == 100
    assert len(response.content) < 50_000


def test_the_command_lists_100_errors_then_how_many_more(pack, tmp_path):
    rows = "".join(f"p{i}@example.com,P,finance-analyst,,,,9999-12-31,UTC\n" for i in range(150))
    path = tmp_path / "bad.csv"
    path.write_text("email,name,role,track,manager_email,buddy_email,start_date,timezone\n" + rows)
    output = _command(path).splitlines()
    assert len([line for line in output if line.startswith("bad.csv:")]) == 100
    assert "… and 50 more error(s)" in output
    assert output[-1] == "150 error(s) in bad.csv; nothing was enrolled"


def test_json_rows_get_the_same_checks(pack):
    client = Client()
    client.force_login(enablement_user(username="author@example.com"))
    rows = [
        {
            "email": "a@example.com",
            "role": "finance-analyst",
            "start_date": "2026-11-30",
            "name": "Ann\nBcc: x@evil.example",
        },
        {
            "email": "b@example.com",
            "role": "finance-analyst",
            "start_date": "2026-11-30",
            "timezone": "Europe",
        },
    ]
    response = client.post("/api/enrollments/bulk/", rows, content_type="application/json")
    assert response.status_code == 400
    assert [(e["line"], e["column"]) for e in response.json()["errors"]] == [
        (1, "name"),
        (2, "timezone"),
    ]
