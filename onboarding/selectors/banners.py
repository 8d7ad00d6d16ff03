"""The in-app interventions addressed to someone, shown as banners on /my/ and /team/.

An in-app intervention is "sent" when it is recorded as such (see docs/triggers.md, "Who gets
what"); these are the reads that show it, until the person it is about reaches first value.
"""

from dataclasses import dataclass
from datetime import datetime

from roles.models import Intervention

from ..models import Enrollment, InterventionSend
from ..notifications import intervention_message

BANNERS_MAX = 10


@dataclass(frozen=True)
class Banner:
    """An in-app intervention on /my/; renders as its sanitised HTML in a template."""

    kind: str
    subject: str
    html: str
    sent_at: datetime | None

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def banners_for_user(user) -> list[Banner]:
    """In-app interventions addressed to ``user``, newest last: as an employee (their own,
    until their FVM), as a manager or as a buddy (about a person, until that person's FVM).

    For /my/ (also for people with no enrollment of their own) and /team/."""
    if not getattr(user, "email", "") or getattr(user, "banners_waiting_known", None) is False:
        return []
    # Most people have none: one light query (no join to load) says which sends to show;
    # only when there are some are they loaded, with what their messages read, in a second.
    ids = list(_waiting(user).order_by("-due_at", "-pk").values_list("pk", flat=True)[:BANNERS_MAX])
    if not ids:
        return []
    sends = (
        InterventionSend.objects.filter(pk__in=ids)
        .select_related(
            "intervention",
            "enrollment__user",
            "enrollment__manager",
            "enrollment__buddy",
            "enrollment__version",
        )
        .order_by("-due_at", "-pk")
    )
    banners = []
    for send in reversed(sends):
        message = intervention_message(send=send, now=send.sent_at)
        banners.append(
            Banner(
                kind=send.intervention.kind,
                subject=message.subject,
                html=str(message.html),
                sent_at=send.sent_at,
            )
        )
    return banners


def _waiting(user):
    return InterventionSend.objects.filter(
        status=InterventionSend.Status.SENT,
        intervention__channel=Intervention.Channel.IN_APP,
        recipient__iexact=user.email,
        enrollment__fvm_completion__isnull=True,
    )


def banners_for(enrollment: Enrollment) -> list[Banner]:
    """The banners for the enrolled person's /my/ (see :func:`banners_for_user`)."""
    return banners_for_user(enrollment.user)
