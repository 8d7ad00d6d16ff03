"""The message preview: what a real send says, for a sample person, with nothing written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding import notifications
from onboarding.models import Enrollment, InterventionSend
from onboarding.services import enrollment_enroll
from roles.models import Intervention
from tests.factories import make_pack

from .test_notifications import COMPLIANCE_WORDS
from .triggers_support import MONDAY, local


def writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


@pytest.mark.django_db
def test_the_day_5_preview_is_the_manager_nudge_for_alex_example_with_nothing_written():
    version = make_pack()
    nudge = Intervention.objects.get(version=version, kind="manager_nudge")
    with CaptureQueriesContext(connection) as queries:
        message = notifications.intervention_preview(version=version, intervention=nudge)
    assert writes(queries.captured_queries) == []
    assert Enrollment.objects.count() == 0 and InterventionSend.objects.count() == 0

    assert message.audience == "manager"
    assert (message.to_name, message.to_email) == ("Sam Manager", "sam.manager@example.com")
    assert message.subject == "15 minutes to help Alex Example get a first result with AI"
    assert "Alex Example" in message.markdown
    assert "Write this month's variance commentary with the AI" in message.markdown
    text, html = notifications.email_parts(message)
    assert "Alex Example" in text and "Alex Example" in html
    assert not COMPLIANCE_WORDS.findall(text)


@pytest.mark.django_db
def test_the_preview_says_what_a_real_send_to_the_same_person_says():
    version = make_pack()
    person = enrollment_enroll(
        email="alex.example@example.com",
        version=version,
        start_date=MONDAY,
        name="Alex Example",
        manager_email="sam.manager@example.com",
        buddy_email="robin.helper@example.com",
    )
    for user, (first, last, _) in (
        (person.manager, notifications.SAMPLE_MANAGER),
        (person.buddy, notifications.SAMPLE_BUDDY),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    now = local(MONDAY, 12, 0, "UTC")
    for intervention in Intervention.objects.filter(version=version):
        send = InterventionSend(pk=0, enrollment=person, intervention=intervention, due_at=now)
        real = notifications.intervention_message(send=send, now=now)
        preview = notifications.intervention_preview(
            version=version, intervention=intervention, now=now
        )
        assert preview.subject == real.subject
        assert preview.to_email == real.to_email
        for anchor in ("report", "helps"):
            real.markdown = real.markdown.replace(f"#{anchor}-{person.pk})", f"#{anchor}-0)")
        assert preview.markdown == real.markdown
        assert preview.session_label == real.session_label


@pytest.mark.django_db
def test_the_preview_follows_the_recipient_rules_of_a_real_send():
    version = make_pack()
    kinds = {i.kind: i for i in Intervention.objects.filter(version=version)}

    session = notifications.intervention_preview(
        version=version, intervention=kinds["power_user_session"]
    )
    assert (session.audience, session.to_name) == ("buddy", "Robin Helper")
    assert session.session_label and session.attachments[0][0] == "invite.ics"
    assert b"Alex Example" in session.attachments[0][1]

    alone = notifications.intervention_preview(
        version=version, intervention=kinds["manager_nudge"], manager=False, buddy=False
    )
    assert (alone.audience, alone.to_name) == ("employee", "Alex Example")
    booking = notifications.intervention_preview(
        version=version, intervention=kinds["power_user_session"], manager=False, buddy=False
    )
    assert booking.subject == "Book a 15-minute session with a power user"


@pytest.mark.django_db
def test_the_preview_of_the_exploratory_track_names_that_tracks_task():
    version = make_pack()
    nudge = Intervention.objects.get(version=version, kind="manager_nudge")
    step = version.steps.get(track="exploratory", kind="fvm_task")
    step.title = "Explore the variances your own way"
    step.save()
    message = notifications.intervention_preview(
        version=version, intervention=nudge, track="exploratory"
    )
    assert "Explore the variances your own way" in message.markdown
