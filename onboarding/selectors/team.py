"""/team/: a manager's reports and the people a power user helps — each with one status, what
was already suggested, who needs support first, and the summary line.

A fixed number of queries whatever the number of people (see docs/enrollment.md, "/team/",
and docs/triggers.md, "Support before accountability").
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .. import workdays
from ..models import Enrollment, InterventionSend, OrgSettings
from .checklists import BEFORE, Checklist, StepItem, checklists_build
from .enrollments import enrollment_queryset, holiday_dates


def people_for(*, user, manager: bool = True, buddy: bool = False) -> QuerySet[Enrollment]:
    """The people ``user`` manages and/or helps as their power user, each with the
    interventions already sent (``sent``)."""
    sent = (
        InterventionSend.objects.filter(status=InterventionSend.Status.SENT)
        .select_related("intervention")
        .order_by("sent_at", "id")
    )
    whose = Q(pk__in=[])
    if manager:
        whose |= Q(manager=user)
    if buddy:
        whose |= Q(buddy=user)
    return (
        enrollment_queryset()
        .filter(whose)
        .prefetch_related(Prefetch("intervention_sends", queryset=sent, to_attr="sent"))
        .order_by("start_date", "name", "id")
    )


def reports_for_manager(*, manager) -> QuerySet[Enrollment]:
    """The manager's reports, each with the interventions already sent (``sent``)."""
    return people_for(user=manager)


# From this working day on without first value, a person needs support now (the day-5 nudge).
SUPPORT_FROM_DAY = 5
LAST_PATH_DAY = 7

# One status per person, most urgent first: (key, words, what it means).
NEEDS_SUPPORT, PAST_WEEK, ON_TRACK, REACHED = "needs-support", "past-week", "on-track", "reached"
STATUS_WORDS = {
    NEEDS_SUPPORT: "Needs support now",
    PAST_WEEK: "Past the first week",
    ON_TRACK: "On track",
    REACHED: "Reached first value",
}
STATUS_ORDER = {NEEDS_SUPPORT: 0, PAST_WEEK: 1, ON_TRACK: 2, REACHED: 3}

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
    def status(self) -> str:
        """*reached first value*; else *past the first week* (working day 8 on); else *needs
        support now* (working day 5–7); else *on track* (days 1–4, or not started)."""
        if self.checklist.fvm is not None:
            return REACHED
        day = self.working_day or 0
        if day > LAST_PATH_DAY:
            return PAST_WEEK
        if day >= SUPPORT_FROM_DAY:
            return NEEDS_SUPPORT
        return ON_TRACK

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def needs_support(self) -> bool:
        return self.status == NEEDS_SUPPORT

    @property
    def sort_key(self) -> tuple:
        """Most urgent first: needs support now (the latest day first: the week closes), past
        the first week, on track by how far they are, then those yet to start, then those who
        reached value (the latest first)."""
        checklist = self.checklist
        order = STATUS_ORDER[self.status]
        if checklist.fvm is not None:
            return (order, 0, -checklist.fvm.local_date.toordinal())
        if self.working_day is not None:
            return (order, 0, -self.working_day)
        return (order, 1, self.enrollment.start_date.toordinal())


@dataclass
class Summary:
    """The line a manager reads first: "3 of 8 reached first value, 2 need support now"."""

    total: int
    reached: int
    needs_support: int
    past_week: int

    @property
    def text(self) -> str:
        parts = [f"{self.reached} of {self.total} reached first value"]
        verb = "needs" if self.needs_support == 1 else "need"
        parts.append(f"{self.needs_support} {verb} support now")
        if self.past_week:
            parts.append(f"{self.past_week} past the first week without it yet")
        return ", ".join(parts)


def summary_of(rows: list[ReportRow]) -> Summary:
    statuses = [row.status for row in rows]
    return Summary(
        total=len(rows),
        reached=statuses.count(REACHED),
        needs_support=statuses.count(NEEDS_SUPPORT),
        past_week=statuses.count(PAST_WEEK),
    )


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


def _remember(user, relation: str, enrollments: list[Enrollment]) -> None:
    """Keep the people just loaded as ``user.<relation>`` (a prefetch), so the layout's "My
    team" link (``user.managed_enrollments.exists``, ``user.buddy_enrollments.exists``) asks
    the database no more."""
    if not hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache = {}
    related = getattr(user, relation).all()
    related._result_cache = enrollments
    related._prefetch_done = True
    user._prefetched_objects_cache[relation] = related


def _remember_reports(manager, enrollments: list[Enrollment]) -> None:
    _remember(manager, "managed_enrollments", enrollments)


@dataclass
class Team:
    """What /team/ shows ``user``: the people they manage and the people they help."""

    reports: list[ReportRow]
    helped: list[ReportRow]

    @property
    def summary(self) -> Summary:
        return summary_of(self.reports)

    @property
    def helped_summary(self) -> Summary:
        return summary_of(self.helped)


def team_for(*, user, now: datetime | None = None) -> Team:
    """Both halves of /team/ in one pass: the same queries as :func:`team_build`."""
    enrollments = list(people_for(user=user, buddy=True))
    managed = [e for e in enrollments if e.manager_id == user.pk]
    helped = [e for e in enrollments if e.buddy_id == user.pk]
    _remember(user, "managed_enrollments", managed)
    _remember(user, "buddy_enrollments", helped)
    rows = {row.enrollment.pk: row for row in _rows(enrollments, now)}
    return Team(
        reports=_ordered([rows[e.pk] for e in managed]),
        helped=_ordered([rows[e.pk] for e in helped]),
    )


def _ordered(rows: list[ReportRow]) -> list[ReportRow]:
    return sorted(rows, key=lambda row: (*row.sort_key, row.enrollment.name, row.enrollment.id))


def team_build(*, manager, now: datetime | None = None) -> list[ReportRow]:
    """The manager's reports with their progress, in a fixed number of queries, in the order
    of who needs support first (see ``ReportRow.sort_key``)."""
    enrollments = list(reports_for_manager(manager=manager))
    _remember_reports(manager, enrollments)
    return _ordered(_rows(enrollments, now))


def _rows(enrollments: list[Enrollment], now: datetime | None) -> list[ReportRow]:
    now = now or timezone.now()
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
    return rows
