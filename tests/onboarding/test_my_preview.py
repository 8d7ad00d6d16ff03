"""The preview contract: someone's week as /my/ shows it, built without writing anything."""

from datetime import date

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory

from onboarding.models import Enrollment, FvmCompletion, StepCompletion
from onboarding.pages import my_context
from onboarding.selectors.checklists import checklist_build, checklist_preview
from roles.models import Track

pytestmark = pytest.mark.django_db


def _render(checklist, *, preview):
    request = RequestFactory().get("/studio/preview/")
    return render_to_string("onboarding/my.html", my_context(request, checklist, preview=preview))


@time_machine.travel("2026-12-02 10:00Z", tick=False)  # a Wednesday
def test_the_preview_is_the_checklist_a_person_sees_on_that_day(version, enroll):
    real = checklist_build(enrollment=enroll("ada@example.com", version))  # on day 3
    preview = checklist_preview(version=version, track=Track.PRESCRIPTIVE, day=3)
    assert (preview.phase, preview.current_day, preview.day_label) == ("during", 3, "Day 3 of 7")
    assert preview.today == date(2026, 12, 2) and preview.today_is_working_day
    assert [d.date for d in preview.days] == [d.date for d in real.days]
    assert [[s.step.id for s in d.steps] for d in preview.days] == [
        [s.step.id for s in d.steps] for d in real.days
    ]
    assert [s.filled.text for s in preview.steps if s.filled] == [
        s.filled.text for s in real.steps if s.filled
    ]
    # On track: the days before are done, the FVM task only by recording first value.
    assert [s.done_at is not None for s in preview.steps if s.date < preview.today] == [
        True,
        True,
        True,
    ]
    assert preview.fvm_step.done_at is None and preview.fvm is None
    assert preview.enrollment.pk is None and preview.enrollment.name == "Alex Example"


@time_machine.travel("2026-12-05 10:00Z", tick=False)  # a Saturday: day N is the next Monday
def test_any_working_day_of_either_track_writes_nothing(version, django_assert_max_num_queries):
    rows = (Enrollment.objects.count(), StepCompletion.objects.count())
    for track in Track.values:
        for day in range(1, 8):
            with django_assert_max_num_queries(5):
                preview = checklist_preview(version=version, track=track, day=day, reached=True)
            assert preview.current_day == day and preview.today == date(2026, 12, 7)
            assert preview.track == track
            assert preview.fvm.minutes_saved == 80 and preview.fvm.pk is None
    assert (Enrollment.objects.count(), StepCompletion.objects.count()) == rows
    assert not FvmCompletion.objects.exists()


def test_a_day_outside_the_week_is_refused(version):
    with pytest.raises(ValueError, match="1 to 7"):
        checklist_preview(version=version, track=Track.PRESCRIPTIVE, day=8)


@time_machine.travel("2026-12-02 10:00Z", tick=False)
@pytest.mark.parametrize("reached", [False, True])
def test_my_html_in_preview_has_a_ribbon_and_nothing_that_posts(version, reached):
    checklist = checklist_preview(version=version, track=Track.PRESCRIPTIVE, day=3, reached=reached)
    page = _render(checklist, preview=True)
    main = page.split('<main id="main">', 1)[1]
    assert "Preview" in main and "Alex Example" in main
    assert 'method="post"' not in main and "action=" not in main
    assert "csrfmiddlewaretoken" not in main
    assert "Day 3 of 7" in main and version.fvm_sentence.replace("'", "&#x27;") in main
    if reached:
        assert "You reached first value" in main
    else:
        assert "<fieldset" in main and "disabled" in main


@time_machine.travel("2026-12-02 10:00Z", tick=False)
def test_the_persons_own_page_keeps_its_forms(version, enroll):
    checklist = checklist_build(enrollment=enroll("ada@example.com", version))
    page = _render(checklist, preview=False)
    assert 'action="/my/fvm/#fvm"' in page and "Preview ·" not in page
