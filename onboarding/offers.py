"""Ready-to-send requests for the 15-minute session on the one task: prefilled ``mailto:``
links, so the person acts from their own mail client in one click (nothing is stored or
sent by us). See docs/enrollment.md, "/team/ and who can help".

- :func:`manager_offer` — a manager offers the time to a report;
- :func:`buddy_offer` — a power user proposes the session to the person they help;
- :func:`ask_buddy` — the employee asks their power user for it.

Greetings use the recipient's first name, or "Hi," when we know them by address alone.
"""

from urllib.parse import quote

from django.conf import settings

from .selectors.checklists import Checklist

SESSION_MINUTES = 15


def mailto(*, to: str, subject: str, body: str) -> str:
    """A ``mailto:`` URL with the subject and body encoded (RFC 6068)."""
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def _hi(user, name: str = "") -> str:
    first = (user.first_name if user is not None else "") or name.split(" ")[0]
    return f"Hi {first}," if first else "Hi,"


def _task(checklist: Checklist) -> tuple[str, str]:
    """(the one task's title, " with the prompt “…”" or "")."""
    step = checklist.fvm_step
    if step is None:
        return checklist.enrollment.version.fvm_deliverable, ""
    prompt = f" with the prompt “{step.prompt.title}”" if step.prompt is not None else ""
    return step.title.rstrip("."), prompt


def task_link(checklist: Checklist) -> str:
    """The one task on the person's own checklist (they sign in to open it)."""
    step = checklist.fvm_step
    anchor = f"#step-{step.step.pk}" if step is not None else "#fvm-h"
    return f"{settings.SITE_URL}/my/{anchor}"


def _name(checklist: Checklist) -> str:
    enrollment = checklist.enrollment
    return enrollment.name or enrollment.user.get_full_name()


def manager_offer(checklist: Checklist) -> str:
    task, prompt = _task(checklist)
    enrollment = checklist.enrollment
    body = (
        f"{_hi(enrollment.user, _name(checklist))}\n\n"
        f"Shall we take {SESSION_MINUTES} minutes together this week on {task}{prompt}? "
        f"Bring a real one from your work; it is ready on your checklist:\n"
        f"{task_link(checklist)}\n\nWhen suits you?"
    )
    return mailto(
        to=enrollment.user.email, subject=f"{SESSION_MINUTES} minutes on {task}?", body=body
    )


def buddy_offer(checklist: Checklist) -> str:
    task, prompt = _task(checklist)
    enrollment = checklist.enrollment
    body = (
        f"{_hi(enrollment.user, _name(checklist))}\n\n"
        f"I am your power user for {enrollment.version.name}. Shall we take {SESSION_MINUTES} "
        f"minutes together on {task}{prompt}? Bring a real one; we will run it together and "
        f"check the result.\n\nYour checklist: {task_link(checklist)}\n\nWhen suits you?"
    )
    return mailto(
        to=enrollment.user.email,
        subject=f"A {SESSION_MINUTES}-minute session on {task}",
        body=body,
    )


def ask_buddy(checklist: Checklist) -> str:
    """The employee's request to their power user ("" without one)."""
    enrollment = checklist.enrollment
    if enrollment.buddy is None:
        return ""
    task, prompt = _task(checklist)
    body = (
        f"{_hi(enrollment.buddy)}\n\n"
        f"I am in my first week as {enrollment.version.name} and would like {SESSION_MINUTES} "
        f"minutes with you on {task}{prompt}, on a real one from my work. When suits you?\n\n"
        f"Thanks,\n{_name(checklist)}".rstrip()
    )
    return mailto(
        to=enrollment.buddy.email,
        subject=f"Could you give me {SESSION_MINUTES} minutes on {task}?",
        body=body,
    )


def to_fill(item) -> str:
    """What the person fills in from their own work for the step's prompt, in words: the
    missing variables' descriptions ("the month, the table"), "" when nothing is missing."""
    if item is None or item.prompt is None or item.filled is None:
        return ""
    missing = set(item.filled.missing)
    return ", ".join(
        v.description or v.name for v in item.prompt.variables.all() if v.name in missing
    )
