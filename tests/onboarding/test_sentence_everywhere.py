"""'An HR business partner …' as PRODUCT's sentence rule has it, on the pages and in the emails."""

from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from onboarding import notifications
from onboarding.models import InterventionSend
from roles.imports import rolepack_import
from roles.models import Intervention, RolePackVersion

from .triggers_support import MONDAY, enroll, local

EXAMPLE = Path(settings.BASE_DIR) / "examples" / "rolepacks" / "hr-business-partner.yaml"
HR = "An HR business partner has reached first value when they have"

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_version():
    rolepack_import(path=EXAMPLE)
    return RolePackVersion.objects.get(pack__slug="hr-business-partner")


@time_machine.travel("2026-11-04 10:00Z", tick=False)
def test_my_page_and_the_library_say_an_hr_business_partner(client, hr_version):
    person = enroll(hr_version, "hana@example.com", start=MONDAY)
    client.force_login(person.user)
    for url in ("/my/", "/library/"):
        page = client.get(url).content.decode()
        assert HR in page, url
        assert "A hR" not in page and "a hR" not in page


def test_the_emails_say_an_hr_business_partner(hr_version):
    person = enroll(hr_version, "hana@example.com", start=MONDAY)
    microtraining = Intervention.objects.get(version=hr_version, kind="microtraining")
    send = InterventionSend(
        pk=1, enrollment=person, intervention=microtraining, due_at=local(MONDAY, 9, 0, "UTC")
    )
    message = notifications.intervention_message(send=send)
    text, html = notifications.email_parts(message)
    assert HR in text and HR in html
    assert not mail.outbox  # building a message sends nothing
