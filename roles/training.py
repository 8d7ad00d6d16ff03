"""Minutes of training a step stands for (docs/metrics.md, "Training hours").

One rule, in two forms that must agree: :func:`step_minutes` for a step in hand and
:func:`step_minutes_expression` for SQL aggregates over many (a test checks them against
each other). A step's own ``minutes`` when the pack states them; else a watch_demo step's
demo's after-minutes (the time the demo shows the work taking with AI); the FVM task its
version's FVM target minutes; else the default of its kind
(``settings.METRICS["step_minutes_default"]``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from roles.models import Demo, PathStep


def default_minutes(kind: str) -> int:
    return int(settings.METRICS["step_minutes_default"][kind])


def step_minutes(
    step: PathStep, demos_by_slug: Mapping[str, Demo], *, fvm_target_minutes: int | None = None
) -> int:
    """The minutes ``step`` counts for. ``demos_by_slug``: the step's version's demos by slug
    (a demo missing from it falls back to the default); ``fvm_target_minutes``: the version's,
    for the FVM task (read from ``step.version`` when not given)."""
    if step.minutes:
        return step.minutes
    if step.kind == PathStep.Kind.WATCH_DEMO:
        demo = demos_by_slug.get(step.demo_slug)
        if demo is not None and demo.after_minutes:
            return demo.after_minutes
    if step.kind == PathStep.Kind.FVM_TASK:
        return fvm_target_minutes or step.version.fvm_target_minutes
    return default_minutes(step.kind)


def step_minutes_expression(prefix: str = ""):
    """:func:`step_minutes` as a query expression over a PathStep, reached from the query's
    model through ``prefix`` (``""`` on PathStep itself, ``"step__"`` on a StepCompletion)."""
    demo_after = Subquery(
        Demo.objects.filter(
            version_id=OuterRef(f"{prefix}version_id"), slug=OuterRef(f"{prefix}demo_slug")
        ).values("after_minutes")[:1],
        output_field=IntegerField(),
    )
    defaults = settings.METRICS["step_minutes_default"]
    by_kind = Case(
        *(When(**{f"{prefix}kind": kind}, then=Value(int(m))) for kind, m in defaults.items()),
        output_field=IntegerField(),
    )
    derived = Case(
        When(**{f"{prefix}kind": PathStep.Kind.WATCH_DEMO}, then=Coalesce(demo_after, by_kind)),
        When(
            **{f"{prefix}kind": PathStep.Kind.FVM_TASK},
            then=F(f"{prefix}version__fvm_target_minutes"),
        ),
        default=by_kind,
        output_field=IntegerField(),
    )
    return Coalesce(F(f"{prefix}minutes"), derived, output_field=IntegerField())
