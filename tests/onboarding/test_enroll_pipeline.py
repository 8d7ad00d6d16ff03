"""The import checks rows in a thread of its own while it writes the batch before; colleagues
are looked up once per import; accounts get unusable passwords drawn in bulk."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.accounts import User, unusable_passwords
from onboarding.enroll_csv import _check_rows, enrollments_import
from onboarding.enroll_rows import EnrollmentImportError, csv_opener, path_opener
from onboarding.models import Enrollment
from roles.selectors import versions_latest_published_by_slug
from tests.factories import UserFactory, make_pack

from .enroll_support import HEADER, people_rows, write_csv

pytestmark = pytest.mark.django_db


def _checkers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "enroll-check"]


class CountedLines:
    """CSV lines made on demand, counting how many were read."""

    def __init__(self, n: int, fail_after: int | None = None):
        self.n, self.fail_after, self.read = n, fail_after, 0

    def __iter__(self):
        yield HEADER + "\n"
        for i, row in enumerate(people_rows(self.n)):
            if self.fail_after is not None and i == self.fail_after:
                raise OSError("the upload was cut off")
            self.read += 1
            yield row + "\n"


def _opener(lines: CountedLines):
    @contextmanager
    def open_text():
        yield lines

    return csv_opener(open_text)


def test_a_failing_write_stops_the_checks_and_its_error_is_raised():
    make_pack()
    lines = CountedLines(5000)
    written: list[int] = []

    def write(batch):
        if len(written) == 2:
            raise RuntimeError("the database went away")
        written.append(len(batch))

    with pytest.raises(RuntimeError, match="went away"):
        _check_rows(_opener(lines), "x.csv", versions_latest_published_by_slug(), write, 10)
    assert written == [10, 10]
    # The checks stopped soon after (a few batches queued at most), not at the end of the file.
    assert lines.read < 100
    assert _checkers() == []


def test_an_error_reading_the_file_is_raised_and_nothing_is_written():
    make_pack()
    with pytest.raises(OSError, match="cut off"):
        enrollments_import(
            opener=_opener(CountedLines(500, fail_after=250)), source="x.csv", batch_size=50
        )
    assert Enrollment.objects.count() == 0
    assert not User.objects.filter(email__startswith="person").exists()
    assert _checkers() == []


def test_bad_rows_checked_in_the_thread_are_reported_as_before(tmp_path):
    make_pack()
    rows = people_rows(300)
    rows[250] = rows[250].replace("finance-analyst", "astronaut")
    path = write_csv(tmp_path, rows)
    with pytest.raises(EnrollmentImportError) as caught:
        enrollments_import(opener=path_opener(str(path)), source="people.csv", batch_size=40)
    assert [(e.line, e.column) for e in caught.value.errors] == [(252, "role")]
    assert Enrollment.objects.count() == 0
    assert _checkers() == []


def test_the_current_timezone_of_the_caller_decides_what_today_is(tmp_path, settings):
    """The start-date check runs in another thread, against the caller's today: here the
    last start date allowed from Kiritimati (UTC+14), a day or two beyond the last one allowed
    in Pago Pago (UTC-11), the default timezone a thread of its own would see."""
    from django.utils import timezone

    from onboarding.enroll_rows import START_DATE_YEARS

    settings.TIME_ZONE = "Pacific/Pago_Pago"
    make_pack()
    with timezone.override("Pacific/Kiritimati"):
        last = timezone.localdate() + timedelta(days=round(365.25 * START_DATE_YEARS))
        path = write_csv(tmp_path, [f"far@example.com,Far,finance-analyst,,,,{last},UTC"])
        result = enrollments_import(opener=path_opener(str(path)), source="people.csv")
    assert result.created == 1


def test_a_colleague_named_in_every_batch_is_one_account_looked_up_once(tmp_path):
    make_pack()
    boss = UserFactory(username="boss", email="Boss@X.com")
    UserFactory(username="boss-again", email="boss@x.com")  # a younger account, same email
    rows = [
        f"p{i}@x.com,P {i},finance-analyst,,BOSS@x.com,buddy@x.com,2026-11-30,UTC"
        for i in range(20)
    ]
    path = write_csv(tmp_path, rows)
    with CaptureQueriesContext(connection) as ctx:
        result = enrollments_import(opener=path_opener(str(path)), source="p.csv", batch_size=5)
    assert result.created == 20
    assert set(Enrollment.objects.values_list("manager", flat=True)) == {boss.pk}
    buddies = set(Enrollment.objects.values_list("buddy", flat=True))
    assert buddies == {User.objects.get(email="buddy@x.com").pk}
    lookups = [q["sql"] for q in ctx.captured_queries if q["sql"].upper().startswith("SELECT")]
    assert sum("boss@x.com" in sql.lower() for sql in lookups) == 1
    assert sum("buddy@x.com" in sql.lower() for sql in lookups) == 1


def test_unusable_passwords_drawn_in_bulk_are_distinct_and_unusable():
    passwords = unusable_passwords(500)
    assert len(set(passwords)) == 500
    for password in passwords[:5] + passwords[-5:]:
        user = User(password=password)
        assert not user.has_usable_password()
        assert len(password) == 41
    assert unusable_passwords(0) == []
