from datetime import date

import pytest

from insights.filters import report_filters_build
from insights.funnel import funnel, non_activated
from insights.interventions import intervention_effectiveness
from onboarding.models import Checkin, InterventionSend, StepCompletion
from roles.models import Intervention, PathStep
from tests.factories import make_pack

from .conftest import complete, enroll, utc

pytestmark = pytest.mark.django_db


def send(enrollment, kind, status, sent_at=None):
    intervention = Intervention.objects.get(version=enrollment.version, kind=kind)
    day = enrollment.days.get(number=intervention.day)
    return InterventionSend.objects.create(
        enrollment=enrollment,
        intervention=intervention,
        status=status,
        due_at=day.begins_at,
        sent_at=sent_at or (day.begins_at if status == "sent" else None),
    )


def test_it_compares_fvm_within_3_days_after_a_nudge_with_the_holdout():
    version = make_pack()
    start = date(2026, 3, 2)  # day 5 = Fri 6th, day 8 = Wed 11th, day 9 = Thu 12th
    sent_ok, sent_none, held_late, held_none, held_ok = (
        enroll(version, f"{n}@example.com", start)
        for n in ("sent-ok", "sent-none", "held-late", "held-none", "held-ok")
    )
    for person in (sent_ok, sent_none):
        send(person, "manager_nudge", "sent")
    for person in (held_late, held_none, held_ok):
        person.holdout = True
        person.save()
        send(person, "manager_nudge", "held_out")
    complete(sent_ok, utc(2026, 3, 9, 12))  # day 6: within 3 after day 5
    complete(held_late, utc(2026, 3, 12, 12))  # day 9: too late
    complete(held_ok, utc(2026, 3, 11, 12))  # day 8: just within

    rows = intervention_effectiveness(report_filters_build(as_of="2026-03-31"))
    assert rows == [
        {
            "role": "finance-analyst",
            "kind": "manager_nudge",
            "sent": 2,
            "sent_fvm_within_3": 1,
            "held_out": 3,
            "held_out_fvm_within_3": 1,
            "sent_rate": 0.5,
            "held_out_rate": 0.3333,
            "uplift": 0.1667,
            "sent_ci": [0.0945, 0.9055],  # Wilson 95% of 1 in 2
            "held_out_ci": [0.0615, 0.7923],  # 1 in 3
        }
    ]


def test_uplift_is_null_without_a_holdout():
    version = make_pack()
    person = enroll(version, "p@example.com", date(2026, 3, 2))
    send(person, "microtraining", "sent")
    (row,) = intervention_effectiveness(report_filters_build(as_of="2026-03-31"))
    assert (row["sent"], row["held_out"], row["uplift"]) == (1, 0, None)


def test_the_funnel_counts_each_stage_by_as_of():
    version = make_pack()
    a, b, c = (enroll(version, f"{n}@example.com", date(2026, 3, 2)) for n in "abc")
    for person in (a, b):
        person.first_visit_at = utc(2026, 3, 2, 9)
        person.save()
    step = PathStep.objects.filter(version=version, track="prescriptive").first()
    StepCompletion.objects.create(enrollment=a, step=step, done_at=utc(2026, 3, 2, 10))
    complete(a, utc(2026, 3, 4, 9))
    Checkin.objects.create(enrollment=a, day=30, due_at=utc(2026, 4, 13, 9), active=True)
    Checkin.objects.create(enrollment=b, day=30, due_at=utc(2026, 4, 13, 9), active=False)

    stages = {s["stage"]: s["people"] for s in funnel(report_filters_build(as_of="2026-04-30"))}
    assert stages == {
        "enrolled": 3,
        "first_visit": 2,
        "first_step": 1,
        "fvm_within_7": 1,
        "active_day_30": 1,
        "active_day_90": 0,
    }


def test_the_non_activated_list_shows_intervention_status_per_kind():
    version = make_pack()
    late = enroll(version, "late@example.com", date(2026, 3, 2))  # day 5 began Fri 6th 09:00
    enroll(version, "early@example.com", date(2026, 3, 4))  # day 5 = Tue 10th
    done = enroll(version, "done@example.com", date(2026, 3, 2))
    complete(done, utc(2026, 3, 3, 9))
    send(late, "manager_nudge", "sent")

    people, total = non_activated(report_filters_build(as_of="2026-03-06T09:00:00Z"))
    assert total == 1
    assert [p.user.email for p in people] == ["late@example.com"]
    assert people[0].sends_by_kind == {"manager_nudge": "sent"}
    _, total = non_activated(report_filters_build(as_of="2026-03-31"))
    assert total == 2
