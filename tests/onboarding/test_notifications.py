"""What the messages say: filled placeholders, escaped values, one task, support wording."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from onboarding import notifications
from onboarding.models import InterventionSend
from roles.imports import rolepack_import
from roles.models import Intervention, RolePackVersion
from tests.factories import make_pack

from .triggers_support import enroll, local

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "rolepacks"
# Support before accountability: none of these in a first-week message to a manager.
COMPLIANCE_WORDS = re.compile(
    r"\b(overdue|failed|failing|non-?compliant|compliance|behind|late|lagging|deadline|"
    r"warning|missed)\b",
    re.IGNORECASE,
)


def unsaved_send(person, kind):
    intervention = Intervention.objects.get(version=person.version, kind=kind)
    return InterventionSend(
        pk=1, enrollment=person, intervention=intervention, due_at=local(person.day1, 9, 0, "UTC")
    )


@pytest.mark.django_db
def test_it_fills_every_placeholder_and_escapes_the_values():
    version = make_pack()
    Intervention.objects.filter(version=version, kind="manager_nudge").update(
        message="{{name}} / {{manager_name}} / {{role}} / {{fvm_sentence}} / {{link}}"
    )
    person = enroll(version, "ana@example.com", name="Ana <script>x</script>")
    person.manager.first_name = "Bo & Co"
    person.manager.save()

    message = notifications.intervention_message(send=unsaved_send(person, "manager_nudge"))
    assert message.audience == "manager"
    assert message.to_email == "manager@example.com"
    assert message.markdown == (
        "Ana <script>x</script> / Bo & Co / Finance analyst / A finance analyst has reached "
        "first value when they have a variance explanation for the CFO report in 10 minutes "
        f"instead of 90. / {settings.SITE_URL}/team/#report-{person.pk}"
    )
    assert "<script>" not in message.html
    assert "Ana &lt;script&gt;x&lt;/script&gt;" in message.html
    assert "Bo &amp; Co" in message.html
    assert "{{" not in message.html


@pytest.mark.django_db
def test_one_task_names_the_task_and_links_to_it_without_the_prompt_or_a_double_full_stop():
    version = make_pack()
    step = version.steps.get(track="prescriptive", kind="fvm_task")
    step.title = "Write this month's variance commentary with the AI."
    step.save()
    Intervention.objects.filter(version=version, kind="manager_nudge").update(
        message="One task: {{one_task}}. Open it: {{link}}"
    )
    person = enroll(version, "ana@example.com")

    assert notifications.one_task(person) == "Write this month's variance commentary with the AI"
    message = notifications.intervention_message(send=unsaved_send(person, "manager_nudge"))
    card = f"{settings.SITE_URL}/team/#report-{person.pk}"
    assert message.markdown.startswith(
        f"One task: [Write this month's variance commentary with the AI]({card}). Open it:"
    )
    assert message.text.startswith(
        f"One task: Write this month's variance commentary with the AI ({card}). Open it:"
    )
    assert f'<a href="{card}" rel="noopener noreferrer nofollow"><span class="filled">Write' in (
        message.html
    )
    for part in (message.markdown, message.text, message.html):
        assert "{{" not in part and ".." not in part and "Explain the" not in part


@pytest.mark.django_db
def test_the_employees_link_is_an_absolute_sign_in_link():
    person = enroll(make_pack(), "ana@example.com")
    message = notifications.intervention_message(send=unsaved_send(person, "microtraining"))
    assert message.audience == "employee"
    assert message.link.startswith(f"{settings.SITE_URL}/")
    assert "email-link" in message.link or message.link.endswith("/my/")


def example_versions():
    rolepack_import(path=EXAMPLES)
    return list(RolePackVersion.objects.filter(status="published"))


@pytest.mark.django_db
def test_first_week_manager_nudges_speak_of_support_for_every_example_pack():
    versions = example_versions() + [make_pack(slug="default-pack")]
    assert len(versions) >= 6
    for i, version in enumerate(versions):
        # No buddy: the session request goes to the manager too.
        person = enroll(version, f"p{i}@example.com", name="Sam Doe", buddy="")
        for kind in ("manager_nudge", "power_user_session"):
            if not Intervention.objects.filter(version=version, kind=kind).exists():
                continue
            message = notifications.intervention_message(send=unsaved_send(person, kind))
            assert message.audience == "manager"
            text, html = notifications.email_parts(message)
            for part in (message.subject, text, html):
                found = COMPLIANCE_WORDS.findall(part)
                assert not found, f"{version.pack.slug} {kind}: {found} in {part!r}"


@pytest.mark.django_db
def test_the_checkin_email_asks_about_the_deliverable_with_two_links():
    person = enroll(make_pack(), "ana@example.com")
    subject, text, html = notifications.checkin_email_parts(
        enrollment=person, yes_url="https://x/yes/", no_url="https://x/no/", day=30
    )
    assert subject == "Still using it for a variance explanation for the CFO report?"
    assert "https://x/yes/" in text and "https://x/no/" in text
    assert 'href="https://x/yes/"' in html and 'href="https://x/no/"' in html


@pytest.mark.django_db
def test_a_manager_known_by_address_alone_is_greeted_hi_never_your_manager():
    version = make_pack()
    Intervention.objects.filter(version=version, kind="manager_nudge").update(
        message="Hi {{manager_name}},\n\n{{name}} could use fifteen minutes."
    )
    person = enroll(version, "ana@example.com", name="Ana", manager="max@example.com")
    message = notifications.intervention_message(send=unsaved_send(person, "manager_nudge"))
    text, html = notifications.email_parts(message)
    for part in (message.markdown, text, html):
        assert "your manager" not in part and "max@example.com" not in part.split("\n")[0]
    assert message.markdown.startswith("Hi,\n\nAna could use fifteen minutes.")

    person.manager.first_name, person.manager.last_name = "Max", "Müller"
    person.manager.save()
    named = notifications.intervention_message(send=unsaved_send(person, "manager_nudge"))
    assert named.markdown.startswith("Hi Max Müller,\n\n")


@pytest.mark.django_db
def test_every_example_packs_greetings_name_someone_or_no_one():
    for i, version in enumerate(example_versions()):
        person = enroll(version, f"p{i}@example.com")  # manager and buddy by address alone
        for intervention in Intervention.objects.filter(version=version):
            message = notifications.intervention_message(
                send=unsaved_send(person, intervention.kind)
            )
            assert not re.search(r"Hi (your manager|a power user)\b", message.markdown)
            assert "{{" not in message.markdown, (version.pack.slug, intervention.kind)
            assert ".." not in message.text.replace("...", "")


@pytest.mark.django_db
def test_without_a_manager_no_message_reaches_the_person_twice():
    """Day 5 falls back to the employee: with a day-6 microtraining of its own, the pack's
    microtraining is not sent on day 5 too."""
    for i, version in enumerate([*example_versions(), make_pack(slug="default-pack")]):
        person = enroll(version, f"solo{i}@example.com", manager="", buddy="")
        seen = []
        for intervention in Intervention.objects.filter(version=version).order_by("day"):
            message = notifications.intervention_message(
                send=unsaved_send(person, intervention.kind)
            )
            if message.to_email == person.user.email:
                seen.append((message.subject, message.markdown))
        subjects = [s for s, _ in seen]
        bodies = [b for _, b in seen]
        assert len(set(subjects)) == len(subjects), (version.pack.slug, subjects)
        assert len(set(bodies)) == len(bodies), version.pack.slug
