"""A manager's reports: their progress and what was already suggested, who needs support first.

A fixed number of queries whatever the number of reports (see docs/triggers.md, "Support before
accountability").
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .. import workdays
from ..models import Enrollment, InterventionSend, OrgSettings
from .checklists import BEFORE, Checklist, StepItem, checklists_build
from .enrollments import enrollment_queryset, holiday_dates


def reports_for_manager(*, manager) -> QuerySet[Enrollment]:
    """The manager's reports, each with the interventions already sent (``sent``)."""
    sent = (
        InterventionSend.objects.filter(status=InterventionSend.Status.SENT)
        .select_related("intervention")
        .order_by("sent_at", "id")
    )
    return (
        enrollment_queryset()
        .filter(manager=manager)
        .prefetch_related(Prefetch("intervention_sends", queryset=sent, to_attr="sent"))
        .order_by("start_date", "name", "id")
    )


# Past this working day without first value, a person needs their manager first.
SUPPORT_AFTER_DAY = 5

_SUGGESTIONS = {
    # kind: (what we suggested to the manager, what we did when it went to someone else)
    "manager_nudge": ("sit with {name} for fifteen minutes on the one task", ""),
    "power_user_session": (
        "a short session with {name} on the one task",
        "we invited {name}'s buddy to a short session with them",
    ),
    "microtraining": ("", "we sent {name} a short how-to for the one task"),
}


@dataclass
class Suggestion:
    """An intervention already sent about a report, told as a suggestion, never a verdict."""

    sent_on: date
    to_you: bool
    text: str


@dataclass
class ReportRow:
    checklist: Checklist
    working_day: int | None  # working days since day 1, today included; None before day 1
    accountability: bool  # past OrgSettings.accountability_after_day without first value
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def enrollment(self) -> Enrollment:
        return self.checklist.enrollment

    @property
    def offer(self) -> StepItem | None:
        return self.checklist.fvm_step

    @property
    def needs_support(self) -> bool:
        return (
            self.checklist.fvm is None
            and self.working_day is not None
            and self.working_day > SUPPORT_AFTER_DAY
        )

    @property
    def sort_key(self) -> tuple:
        """Who needs support first: past day 5 without first value, then the others in their
        week by how far they are, then those yet to start, then those who reached value."""
        checklist = self.checklist
        if checklist.fvm is not None:
            return (3, -checklist.fvm.local_date.toordinal())
        if self.needs_support:
            return (0, -self.working_day)
        if self.working_day is not None:
            return (1, -self.working_day)
        return (2, self.enrollment.start_date.toordinal())


def _suggestions(enrollment: Enrollment) -> list[Suggestion]:
    name = enrollment.name or enrollment.user.email
    result = []
    for send in getattr(enrollment, "sent", []):
        kind = send.intervention.kind
        to_manager, to_others = _SUGGESTIONS.get(kind, ("", "we sent {name} a suggestion"))
        # Who it went to follows notifications.intervention_message: a power-user session goes to
        # the buddy when there is one; a manager nudge goes to the manager.
        to_you = bool(to_manager) and not (kind == "power_user_session" and enrollment.buddy_id)
        when = send.sent_at or send.due_at
        result.append(
            Suggestion(
                sent_on=workdays.local_date(when, enrollment.timezone),
                to_you=to_you,
                text=(to_manager if to_you else to_others or to_manager).format(name=name),
            )
        )
    return result


def _remember_reports(manager, enrollments: list[Enrollment]) -> None:
    """Keep the reports just loaded as ``manager.managed_enrollments`` (a prefetch), so the
    layout's "My team" link (``user.managed_enrollments.exists``) asks the database no more."""
    if not hasattr(manager, "_prefetched_objects_cache"):
        manager._prefetched_objects_cache = {}
    related = manager.managed_enrollments.all()
    related._result_cache = enrollments
    related._prefetch_done = True
    manager._prefetched_objects_cache["managed_enrollments"] = related


def team_build(*, manager, now: datetime | None = None) -> list[ReportRow]:
    """The manager's reports with their progress, in a fixed number of queries, in the order
    of who needs support first (see ``ReportRow.sort_key``)."""
    now = now or timezone.now()
    enrollments = list(reports_for_manager(manager=manager))
    _remember_reports(manager, enrollments)
    if not enrollments:
        return []
    org = OrgSettings.load()
    holidays = holiday_dates()
    rows = []
    for checklist in checklists_build(enrollments, now=now):
        enrollment = checklist.enrollment
        working_day = None
        if checklist.phase != BEFORE:
            working_day = workdays.ttv(enrollment.start_date, checklist.today, holidays)
        rows.append(
            ReportRow(
                checklist=checklist,
                working_day=working_day,
                accountability=(
                    checklist.fvm is None
                    and working_day is not None
                    and working_day > org.accountability_after_day
                ),
                suggestions=_suggestions(enrollment),
            )
        )
    rows.sort(key=lambda row: (*row.sort_key, row.enrollment.name, row.enrollment.id))
    return rows
