"""What an intervention or a check-in says, and to whom.

The pack's Markdown message is filled with ``{{name}}``, ``{{manager_name}}``, ``{{role}}``,
``{{fvm_sentence}}``, ``{{one_task}}`` and ``{{link}}``; the HTML goes through the one
Markdown renderer with every substituted value escaped (``templates_library.variables``).
``{{one_task}}`` is the FVM task's title, linked to where the recipient finds it (never the
whole prompt). A greeting ("Hi {{manager_name}},") to someone whose name we do not know is
"Hi," — never "Hi your manager," nor an address (docs/triggers.md, "Who gets what").

Recipients (first match wins):
- manager_nudge → the manager; no manager → the employee, with a built-in message about the
  one task (the pack's microtraining message only when the pack sends no microtraining of its
  own, so nobody gets the same message twice);
- microtraining → the employee;
- power_user_session → the buddy, with a calendar invitation (15 minutes at 10:00 on the
  employee's next working day, employee and buddy invited); no buddy → the manager, same
  invitation; neither → the employee, asked to book a session.

Messages to managers speak of support, never of compliance (tests hold the wording).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from roles.models import Intervention
from templates_library.variables import fill_html, fill_text

from . import workdays
from .auth import magic_link_url
from .models import Enrollment, InterventionSend
from .selectors.enrollments import (
    fvm_task_step,
    holiday_dates,
    intervention_message_of_kind,
)

DEFAULT_MICROTRAINING = (
    "Hi {{name}}, here is a 5-minute walkthrough to get your first result with the AI: "
    "{{one_task}}\n\nYour checklist has the prompt ready to copy: {{link}}"
)
BOOK_SESSION = (
    "Hi {{name}}, a 15-minute session with a colleague who already uses the AI for this "
    "work is often the quickest way in. Book one with a power user on your team and bring "
    "this task: {{one_task}}\n\nYour checklist: {{link}}"
)
ONE_TASK_TODAY = (
    "Hi {{name}}, this week has one task that counts: {{one_task}}. Fifteen minutes on real "
    "work is enough for a first result; the prompt is ready to copy on your checklist: {{link}}"
)
SESSION_MINUTES = 15
SESSION_HOUR = 10


@dataclass
class Message:
    audience: str  # "employee", "manager" or "buddy"
    to_email: str
    to_name: str
    subject: str
    markdown: str  # the filled Markdown (chat channels)
    html: SafeString  # the filled, rendered, sanitised fragment
    link: str
    text: str = ""  # the filled plain text (an email's text part)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    session_start: datetime | None = None
    session_label: str = ""  # the proposed time in the employee's timezone, for people


def _display_name(user, fallback: str = "") -> str:
    if user is None:
        return fallback
    return user.get_full_name() or fallback or user.email


def _employee_name(enrollment: Enrollment) -> str:
    return enrollment.name or _display_name(enrollment.user)


def _known_name(user) -> str:
    """The person's full name, or "" when we only know their address."""
    return user.get_full_name() if user is not None else ""


def one_task(enrollment: Enrollment) -> str:
    """The name of the person's FVM task, on one line, with no full stop of its own (messages
    put one after it): its title, else the pack's deliverable."""
    step = fvm_task_step(enrollment, "title")
    title = (step.title if step else "") or enrollment.version.fvm_deliverable
    return " ".join(title.split()).rstrip(".")


def fvm_step_anchor(enrollment: Enrollment) -> str:
    """``#step-<id>`` of the person's FVM task on their checklist (``#fvm-h`` without one)."""
    step = fvm_task_step(enrollment, "id")
    return f"#step-{step.pk}" if step else "#fvm-h"


def _link(enrollment: Enrollment, audience: str, *, sign_in: bool) -> str:
    """What ``{{link}}`` is: where the recipient acts on this message.

    Employee → their FVM task on the checklist (``/my/#step-<id>``); manager → the person's
    card on ``/team/`` (``#report-<enrollment id>``); buddy → the person's card in the power
    user's part of ``/team/`` (``#helps-<enrollment id>``). In a personal email the employee gets a sign-in link instead, which lands on
    ``/my/``."""
    if audience == "manager":
        return f"{settings.SITE_URL}/team/#report-{enrollment.pk}"
    if audience == "buddy":
        return f"{settings.SITE_URL}/team/#helps-{enrollment.pk}"
    checklist = f"{settings.SITE_URL}/my/{fvm_step_anchor(enrollment)}"
    return magic_link_url(user=enrollment.user) if sign_in else checklist


_BARE_LINK = re.compile(r"(?<![(\[<])\{\{\s*link\s*\}\}")
_BARE_TASK = re.compile(r"(?<![(\[<])\{\{\s*one_task\s*\}\}(?!\])")
_GREETING = re.compile(
    r"\b(Hi|Hello|Hey|Dear)[ \t]+\{\{\s*(name|manager_name|buddy_name)\s*\}\}", re.IGNORECASE
)


def greetings_fit(template: str, unknown: set[str]) -> str:
    """ "Hi {{manager_name}}," becomes "Hi," when that person's name is unknown."""
    return _GREETING.sub(lambda m: m.group(1) if m.group(2) in unknown else m.group(0), template)


def fill(template: str, values: dict[str, str]) -> tuple[str, str, SafeString]:
    """(filled Markdown, plain text, sanitised HTML with each value escaped).

    A bare ``{{link}}`` becomes a clickable link in the HTML; ``{{one_task}}`` links to the
    task (``{{one_task_link}}``): a Markdown link, in plain text the address in brackets."""
    markdown = _BARE_TASK.sub("[{{one_task}}]({{one_task_link}})", template)
    text = _BARE_TASK.sub("{{one_task}} ({{one_task_link}})", template)
    linked = _BARE_LINK.sub("[{{link}}]({{link}})", markdown)
    return (
        fill_text(markdown, values),
        fill_text(text, values),
        fill_html(linked, values, missing=[]),
    )


def _values(
    enrollment: Enrollment, audience: str, link: str | None, *, sign_in: bool
) -> dict[str, str]:
    version = enrollment.version
    return {
        "name": _employee_name(enrollment),
        "manager_name": _known_name(enrollment.manager) or "your manager",
        "buddy_name": _known_name(enrollment.buddy) or "a power user",
        "role": version.name,
        "deliverable": version.fvm_deliverable,
        "fvm_sentence": version.fvm_sentence,
        "one_task": one_task(enrollment),
        "one_task_link": _link(enrollment, audience, sign_in=False),
        "link": link or _link(enrollment, audience, sign_in=sign_in),
    }


def _unknown_names(enrollment: Enrollment) -> set[str]:
    """The placeholders whose person we know only by address (or not at all)."""
    unknown = set()
    if not (enrollment.name or _known_name(enrollment.user)):
        unknown.add("name")
    if not _known_name(enrollment.manager):
        unknown.add("manager_name")
    if not _known_name(enrollment.buddy):
        unknown.add("buddy_name")
    return unknown


def next_session_start(enrollment: Enrollment, now: datetime) -> datetime:
    """10:00 on the employee's next working day after ``now``, in their timezone (as UTC)."""
    zone = workdays.valid_timezone(enrollment.timezone)
    today = workdays.local_date(now, zone)
    day = workdays.working_day_1(today + timedelta(days=1), holiday_dates())
    return workdays.local_instant(day, SESSION_HOUR, zone).astimezone(UTC)


def session_invitation(
    *,
    send: InterventionSend | None = None,
    enrollment: Enrollment | None = None,
    uid: str = "",
    start: datetime,
    host_email: str,
    host_name: str,
    now: datetime,
) -> bytes:
    """An iCalendar REQUEST for a 15-minute session: the employee and the host invited.

    For a send (its id makes the UID), or for ``enrollment`` with the caller's ``uid``."""
    from icalendar import Calendar, Event, vCalAddress, vText

    enrollment = send.enrollment if send is not None else enrollment
    uid = f"intervention-send-{send.pk}@firstvalue" if send is not None else uid
    organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "firstvalue@localhost"
    cal = Calendar()
    cal.add("prodid", "-//FirstValue//Activation engine//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=SESSION_MINUTES))
    event.add("summary", f"15 minutes with {_employee_name(enrollment)}: first result with AI")
    event.add(
        "description",
        f"A short session on {enrollment.version.fvm_deliverable}. "
        f"Checklist: {settings.SITE_URL}/my/",
    )
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText("FirstValue")
    event["organizer"] = organizer
    for email, name in (
        (enrollment.user.email, _employee_name(enrollment)),
        (host_email, host_name),
    ):
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


_SUBJECTS = {
    ("manager_nudge", "manager"): "15 minutes to help {name} get a first result with AI",
    ("manager_nudge", "employee"): "The one task that counts this week",
    ("microtraining", "employee"): "A 5-minute walkthrough for your first result with AI",
    ("power_user_session", "buddy"): "Could you give {name} a 15-minute session?",
    ("power_user_session", "manager"): "A 15-minute session to support {name}",
    ("power_user_session", "employee"): "Book a 15-minute session with a power user",
}


def _audience(intervention: Intervention, enrollment: Enrollment) -> tuple[str, object, str]:
    """(audience, recipient, template) by the rules in this module's docstring."""
    kind = intervention.kind
    if kind == Intervention.Kind.MANAGER_NUDGE:
        if enrollment.manager is not None:
            return "manager", enrollment.manager, intervention.message
        # The pack's own microtraining is sent on its day: this one must not repeat it.
        template = intervention_message_of_kind(
            version_id=enrollment.version_id, kind=Intervention.Kind.MICROTRAINING
        )
        return "employee", enrollment.user, ONE_TASK_TODAY if template else DEFAULT_MICROTRAINING
    if kind == Intervention.Kind.POWER_USER_SESSION:
        if enrollment.buddy is not None:
            return "buddy", enrollment.buddy, intervention.message
        if enrollment.manager is not None:
            return "manager", enrollment.manager, intervention.message
        return "employee", enrollment.user, BOOK_SESSION
    return "employee", enrollment.user, intervention.message


def _add_session(message: Message, *, send: InterventionSend, host, now: datetime) -> None:
    """Propose the 15-minute session: its time, for people, and the calendar invitation."""
    enrollment = send.enrollment
    start = next_session_start(enrollment, now)
    message.session_start = start
    local_start = start.astimezone(workdays.valid_timezone(enrollment.timezone))
    message.session_label = (
        f"{local_start:%A} {local_start.day} {local_start:%B}, "
        f"{local_start:%H:%M} ({enrollment.timezone} time)"
    )
    invitation = session_invitation(
        send=send, start=start, host_email=host.email, host_name=_display_name(host), now=now
    )
    message.attachments.append(
        ("invite.ics", invitation, "text/calendar; method=REQUEST; charset=utf-8")
    )


def intervention_message(
    *, send: InterventionSend, now: datetime | None = None, link: str | None = None
) -> Message:
    """Who gets ``send`` and what it says (no side effects). ``link`` overrides {{link}}."""
    now = now or timezone.now()
    enrollment = send.enrollment
    intervention = send.intervention
    audience, recipient, template = _audience(intervention, enrollment)
    # A sign-in link only in a personal email: never in a Slack/Teams channel or on a page.
    values = _values(
        enrollment, audience, link, sign_in=intervention.channel == Intervention.Channel.EMAIL
    )
    # The built-in walkthrough has the microtraining's subject whichever kind sent it.
    subject_key = (
        ("microtraining", audience)
        if template == DEFAULT_MICROTRAINING
        else (intervention.kind, audience)
    )
    template = greetings_fit(template, _unknown_names(enrollment))
    markdown, text, html = fill(template, values)
    message = Message(
        audience=audience,
        to_email=recipient.email,
        to_name=_display_name(recipient),
        subject=_SUBJECTS[subject_key].format(name=values["name"]),
        markdown=markdown,
        text=text,
        html=html,
        link=values["link"],
    )
    # A session request to a buddy or a manager hosts it; the employee books one themselves.
    if intervention.kind == Intervention.Kind.POWER_USER_SESSION and audience != "employee":
        _add_session(message, send=send, host=recipient, now=now)
    return message


SAMPLE_EMPLOYEE = ("Alex", "Example", "alex.example@example.com")
SAMPLE_MANAGER = ("Sam", "Manager", "sam.manager@example.com")
SAMPLE_BUDDY = ("Robin", "Helper", "robin.helper@example.com")


def _sample_user(pk: int, first: str, last: str, email: str):
    return get_user_model()(pk=pk, first_name=first, last_name=last, email=email)


def intervention_preview(
    *,
    version,
    intervention: Intervention,
    track: str = "prescriptive",
    manager: bool = True,
    buddy: bool = True,
    now: datetime | None = None,
) -> Message:
    """The message a real send of ``intervention`` would produce, for a sample person.

    "Alex Example" on ``version`` and ``track``, managed by "Sam Manager" and helped by the
    power user "Robin Helper" (``manager``/``buddy`` False previews the fallbacks of this
    module's docstring). Nothing is written: the person, the send and the users are unsaved
    objects with id 0, so an email-channel sign-in link in a preview signs no one in."""
    employee = _sample_user(0, *SAMPLE_EMPLOYEE)
    enrollment = Enrollment(
        pk=0,
        user=employee,
        version=version,
        name=employee.get_full_name(),
        track=track,
        manager=_sample_user(0, *SAMPLE_MANAGER) if manager else None,
        buddy=_sample_user(0, *SAMPLE_BUDDY) if buddy else None,
        start_date=workdays.local_date(now or timezone.now(), "UTC"),
        timezone="UTC",
        values={},
    )
    send = InterventionSend(pk=0, enrollment=enrollment, intervention=intervention)
    return intervention_message(send=send, now=now)


def email_parts(message: Message) -> tuple[str, str]:
    """(text, html) bodies of the email around a message."""
    context = {"message": message, "site_url": settings.SITE_URL}
    text = render_to_string("onboarding/email/intervention.txt", context)
    html = render_to_string("onboarding/email/intervention.html", context)
    return text, html


def checkin_email_parts(
    *, enrollment: Enrollment, yes_url: str, no_url: str, day: int, steps=()
) -> tuple[str, str, str]:
    """(subject, text, html) of the day-30/90 check-in; ``steps``: its reinforcement
    steps (``selectors.reinforcement.reinforcement_items``), listed with their prompt or demo."""
    context = {
        "name": _employee_name(enrollment),
        "deliverable": enrollment.version.fvm_deliverable,
        "yes_url": yes_url,
        "no_url": no_url,
        "day": day,
        "steps": [item for item in steps if not item.done_at],
        "site_url": settings.SITE_URL,
    }
    subject = f"Still using it for {enrollment.version.fvm_deliverable}?"
    text = render_to_string("onboarding/email/checkin.txt", context)
    html = render_to_string("onboarding/email/checkin.html", context)
    return subject, text, html
