"""Did the nudges work? FVM within 3 working days of a send, sent against held out."""

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from onboarding.models import InterventionSend

from .filters import ReportFilters, enrollments_enrolled
from .rates import wilson

INTERVENTION_FOLLOW_UP_DAYS = 3
_SENT, _HELD_OUT = InterventionSend.Status.SENT, InterventionSend.Status.HELD_OUT


def _counts(filters: ReportFilters):
    """(role, kind, sent or held out) → sends due by as_of, and how many were followed by value.

    A send for working day N is followed by value when the FVM was completed at or after the
    send (held-out rows: when it would have been sent, ``due_at``) and its TTV is at most N + 3.
    """
    as_of = filters.as_of
    followed = Q(
        enrollment__fvm_completion__completed_at__gte=Coalesce("sent_at", "due_at"),
        enrollment__fvm_completion__completed_at__lte=as_of,
        enrollment__fvm_completion__ttv__lte=F("intervention__day") + INTERVENTION_FOLLOW_UP_DAYS,
    )
    return (
        InterventionSend.objects.filter(
            enrollment__in=enrollments_enrolled(filters).values("pk"),
            due_at__lte=as_of,
            status__in=[_SENT, _HELD_OUT],
        )
        .values(
            role=F("enrollment__version__pack__slug"),
            kind=F("intervention__kind"),
            group=F("status"),
        )
        .annotate(n=Count("id"), followed=Count("id", filter=followed))
        .order_by("role", "kind", "group")
    )


def _rate(followed: int, n: int) -> float | None:
    return followed / n if n else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def intervention_effectiveness(filters: ReportFilters) -> list[dict]:
    """Per role and intervention kind: FVM within 3 working days of the send, sent vs held out;
    uplift = sent rate − holdout rate (docs/metrics.md)."""
    table: dict = {}
    for row in _counts(filters):
        entry = table.setdefault(
            (row["role"], row["kind"]),
            {
                "role": row["role"],
                "kind": row["kind"],
                "sent": 0,
                "sent_fvm_within_3": 0,
                "held_out": 0,
                "held_out_fvm_within_3": 0,
            },
        )
        prefix = "sent" if row["group"] == _SENT else "held_out"
        entry[prefix] += row["n"]
        entry[f"{prefix}_fvm_within_3"] += row["followed"]
    for entry in table.values():
        sent_rate = _rate(entry["sent_fvm_within_3"], entry["sent"])
        held_rate = _rate(entry["held_out_fvm_within_3"], entry["held_out"])
        entry["sent_rate"], entry["held_out_rate"] = _rounded(sent_rate), _rounded(held_rate)
        both = sent_rate is not None and held_rate is not None
        entry["uplift"] = _rounded(sent_rate - held_rate) if both else None
        entry["sent_ci"] = wilson(entry["sent_fvm_within_3"], entry["sent"])
        entry["held_out_ci"] = wilson(entry["held_out_fvm_within_3"], entry["held_out"])
    return list(table.values())
