#!/usr/bin/env python
"""Time the non-activation sweep alone on a copy of the bench database.

    createdb -T firstvalue_bench fv_p4bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fv_p4bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/sweep.py

Resets the copy's sends and check-ins, then times the three sweeps bench/run.py times
(catch-up and nothing due at ``before``, 20% due at ``after``), committed, enqueue included.
"""

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    import django

    django.setup()
    from django.db.models import Count

    from bench.run import timed
    from onboarding.models import Checkin, EnrollmentDay, InterventionSend
    from onboarding.triggers import triggers_sweep

    # The sweep day: the date of working day 5 most people share (the "fresh" 20%).
    sweep_day = (
        EnrollmentDay.objects.filter(number=5)
        .values("date")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["date"]
    )
    nudge = datetime.combine(sweep_day, datetime.min.time(), tzinfo=UTC)
    before, after = nudge - timedelta(hours=16), nudge + timedelta(hours=20)
    InterventionSend.objects.all().delete()
    Checkin.objects.all().delete()
    for label, now, repeat in (
        ("catch-up", before, 1),
        ("nothing due", before, 5),
        ("20% due", after, 1),
        ("nothing due after", after, 5),
    ):
        seconds, result, queries = timed(lambda now=now: triggers_sweep(now=now), repeat)
        print(f"{label:18} {seconds * 1000:8.0f} ms {queries:3} queries  {result}")


if __name__ == "__main__":
    main()
