"""What an intervention or a check-in says, and to whom.

The pack's Markdown message is filled with ``{{name}}``, ``{{manager_name}}``, ``{{role}}``,
``{{fvm_sentence}}``, ``{{one_task}}`` and ``{{link}}``; the HTML goes through the one
Markdown renderer with every substituted value escaped (``templates_library.variables``).

Recipients (first match wins):
- manager_nudge → the manager; no manager → the employee, with the pack's microtraining
  message (or a built-in one);
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
from templates_library.variables import fill_html, fill_prompt, fill_text

from . import workdays
from .auth import magic_link_url
from .models import Enrollment, InterventionSend
from .selectors.enrollments import (
    fvm_task_step,
    holiday_dates,
    intervention_message_of_kind,
    prompt_with_variables,
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
SESSION_MINUTES = 15
SESSION_HOUR = 10


@dataclass
class Message:
    audience: str  # "employee", "manager" or "buddy"
    to_email: str
    to_name: str
    subject: str
    markdown: str  # the filled Markdown (chat channels and the text part)
    html: SafeString  # the filled, rendered, sanitised fragment
    link: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    session_start: datetime | None = None
    session_label: str = ""  # the proposed time in the employee's timezone, for people


def _display_name(user, fallback: str = "") -> str:
    if user is None:
        return fallback
    return user.get_full_name() or fallback or user.email


def _employee_name(enrollment: Enrollment) -> str:
    return enrollment.name or _display_name(enrollment.user)


def one_task(enrollment: Enrollment) -> str:
    """The person's FVM task title and its prompt, filled with their values, on one line."""
    step = fvm_task_step(enrollment, "title", "prompt_slug")
    if step is None:
        return enrollment.version.fvm_deliverable
    title = step.title or enrollment.version.fvm_deliverable
    if not step.prompt_slug:
        return title
    prompt = prompt_with_variables(version_id=enrollment.version_id, slug=step.prompt_slug)
    if prompt is None:
        return title
    filled = fill_prompt(prompt, person_values=enrollment.values, version=enrollment.version)
    text = " ".join(filled.text.split())
    return f"{title} — with the prompt “{prompt.title}”: {text}"


def fvm_step_anchor(enrollment: Enrollment) -> str:
    """``#step-<id>`` of the person's FVM task on their checklist (``#fvm-h`` without one)."""
    step = fvm_task_step(enrollment, "id")
    return f"#step-{step.pk}" if step else "#fvm-h"


def _link(enrollment: Enrollment, audience: str, *, sign_in: bool) -> str:
    """What ``{{link}}`` is: where the recipient acts on this message.

    Employee → their FVM task on the checklist (``/my/#step-<id>``); manager → the person's
    card on ``/team/`` (``#report-<enrollment id>``); buddy → ``/my/``, where the message shows
    as a banner. In a personal email the employee gets a sign-in link instead, which lands on
    ``/my/``."""
    if audience == "manager":
        return f"{settings.SITE_URL}/team/#report-{enrollment.pk}"
    if audience == "buddy":
        return f"{settings.SITE_URL}/my/"
    checklist = f"{settings.SITE_URL}/my/{fvm_step_anchor(enrollment)}"
    return magic_link_url(user=enrollment.user) if sign_in else checklist


_BARE_LINK = re.compile(r"(?<![(\[<])\{\{\s*link\s*\}\}")


def fill(template: str, values: dict[str, str]) -> tuple[str, SafeString]:
    """(filled Markdown text, sanitised HTML with each value escaped).

    A bare ``{{link}}`` becomes a clickable link in the HTML."""
    linked = _BARE_LINK.sub("[{{link}}]({{link}})", template)
    return fill_text(template, values), fill_html(linked, values, missing=[])


def _values(
    enrollment: Enrollment, audience: str, link: str | None, *, sign_in: bool
) -> dict[str, str]:
    version = enrollment.version
    return {
        "name": _employee_name(enrollment),
        "manager_name": _display_name(enrollment.manager, "your manager"),
        "buddy_name": _display_name(enrollment.buddy, "a power user"),
        "role": version.name,
        "deliverable": version.fvm_deliverable,
        "fvm_sentence": version.fvm_sentence,
        "one_task": one_task(enrollment),
        "link": link or _link(enrollment, audience, sign_in=sign_in),
    }


def next_session_start(enrollment: Enrollment, now: datetime) -> datetime:
    """10:00 on the employee's next working day after ``now``, in their timezone (as UTC)."""
    zone = workdays.valid_timezone(enrollment.timezone)
    today = workdays.local_date(now, zone)
    day = workdays.working_day_1(today + timedelta(days=1), holiday_dates())
    return workdays.local_instant(day, SESSION_HOUR, zone).astimezone(UTC)


def session_invitation(
    *, send: InterventionSend, start: datetime, host_email: str, host_name: str, now: datetime
) -> bytes:
    """An iCalendar REQUEST for a 15-minute session: the employee and the host invited."""
    from icalendar import Calendar, Event, vCalAddress, vText

    enrollment = send.enrollment
    organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "firstvalue@localhost"
    cal = Calendar()
    cal.add("prodid", "-//FirstValue//Activation engine//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"intervention-send-{send.pk}@firstvalue")
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
    ("manager_nudge", "employee"): "A 5-minute walkthrough for your first result with AI",
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
        template = intervention_message_of_kind(
            version_id=enrollment.version_id, kind=Intervention.Kind.MICROTRAINING
        )
        return "employee", enrollment.user, template or DEFAULT_MICROTRAINING
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
    text, html = fill(template, values)
    message = Message(
        audience=audience,
        to_email=recipient.email,
        to_name=_display_name(recipient),
        subject=_SUBJECTS[(intervention.kind, audience)].format(name=values["name"]),
        markdown=text,
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
    *, enrollment: Enrollment, yes_url: str, no_url: str, day: int
) -> tuple[str, str, str]:
    """(subject, text, html) of the day-30/90 check-in."""
    context = {
        "name": _employee_name(enrollment),
        "deliverable": enrollment.version.fvm_deliverable,
        "yes_url": yes_url,
        "no_url": no_url,
        "day": day,
        "site_url": settings.SITE_URL,
    }
    subject = f"Still using it for {enrollment.version.fvm_deliverable}?"
    text = render_to_string("onboarding/email/checkin.txt", context)
    html = render_to_string("onboarding/email/checkin.html", context)
    return subject, text, html
