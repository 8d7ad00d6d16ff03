"""The studio's list, pack page and new-pack form, from outside."""

from datetime import date

import pytest
from django.urls import reverse

from onboarding.services import enrollment_enroll
from roles.canonical import version_to_document
from roles.models import RolePackVersion
from tests.factories import make_pack

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_pack_with_its_checklist_and_enrolled(author_client, version):
    enrollment_enroll(
        email="emma@example.com", name="Emma", version=version, start_date=date(2026, 11, 2)
    )
    html = author_client.get(reverse("studio:index")).content.decode()
    assert "Finance analyst" in html and "1 enrolled" in html
    assert "3–5 KPIs with baselines measured before launch" in html
    assert "2 KPIs; no date the baseline was measured for Commentary time, Reports on time." in html


def test_the_list_reads_in_a_fixed_number_of_queries(author_client, django_assert_max_num_queries):
    make_pack("one")
    author_client.get(reverse("studio:index"))
    with django_assert_max_num_queries(30) as few:
        author_client.get(reverse("studio:index"))
    for slug in ("two", "three", "four"):
        make_pack(slug)
    with django_assert_max_num_queries(len(few.captured_queries)):
        author_client.get(reverse("studio:index"))


def test_the_pack_page_lists_who_is_enrolled(author_client, version):
    enrollment_enroll(
        email="emma@example.com", name="Emma Example", version=version, start_date=date(2026, 11, 2)
    )
    html = author_client.get(reverse("studio:pack", kwargs={"slug": version.pack.slug})).content
    assert b"Emma Example" in html and b"emma@example.com" in html


def test_a_new_pack_starts_as_a_draft(author_client):
    response = author_client.post(
        reverse("studio:new"),
        {
            "slug": "hr-partner",
            "name": "HR business partner",
            "fvm.deliverable": "a policy answer",
            "fvm.baseline_minutes": "60",
            "fvm.target_minutes": "20",
            "fvm.evidence": "the answer sent",
        },
    )
    assert response.status_code == 302
    draft = RolePackVersion.objects.get(pack__slug="hr-partner")
    assert draft.status == "draft"
    assert version_to_document(draft)["fvm"]["target_minutes"] == 20


def test_a_new_pack_names_each_bad_field(author_client, version):
    response = author_client.post(
        reverse("studio:new"),
        {"slug": "finance-analyst", "name": "X", "fvm.baseline_minutes": "ten"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "must be an integer, got a string (&#x27;ten&#x27;)" in html
    assert "a pack with slug &quot;finance-analyst&quot; already exists" in html
    assert "&quot;target_minutes&quot; is required" in html
