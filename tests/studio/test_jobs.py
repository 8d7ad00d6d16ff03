"""Enroll by CSV (every row previewed, errors by line), export, import a pack file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.models import Enrollment
from roles.canonical import version_to_document
from roles.models import RolePackVersion
from roles.packfile import dump_yaml
from templates_library.models import ExportLog

pytestmark = pytest.mark.django_db

HEADER = "email,name,role,track,manager_email,buddy_email,start_date,timezone\n"
GOOD = (
    HEADER
    + "ann@example.com,Ann Able,finance-analyst,,max@example.com,,2026-12-07,\n"
    + "bob@example.com,Bob Baker,finance-analyst,exploratory,,,2026-12-07,Europe/Paris\n"
)


def _enroll_url():
    return reverse("studio:enroll", kwargs={"slug": "finance-analyst"})


def _upload(text, name="people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_it_previews_every_row_and_enrolls_no_one_yet(author_client, version):
    response = author_client.post(_enroll_url(), {"file": _upload(GOOD)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 rows, ready" in html and "ann@example.com" in html and "bob@example.com" in html
    assert Enrollment.objects.count() == 0


def test_it_enrolls_on_confirm_and_the_pack_page_lists_them(author_client, version):
    response = author_client.post(_enroll_url(), {"text": GOOD, "_confirm": "1"})
    assert response.status_code == 302
    assert set(Enrollment.objects.values_list("user__email", flat=True)) == {
        "ann@example.com",
        "bob@example.com",
    }
    page = author_client.get(reverse("studio:pack", kwargs={"slug": "finance-analyst"}))
    assert b"Ann Able" in page.content and b"Bob Baker" in page.content


def test_it_names_each_bad_row_by_line_and_enrolls_no_one(author_client, version):
    text = (
        HEADER
        + "ann@example.com,Ann,finance-analyst,,,,2026-12-07,\n"
        + "not-an-email,Bob,finance-analyst,,,,2026-13-01,\n"
        + "cy@example.com,Cy,other-pack,,,,2026-12-07,\n"
    )
    response = author_client.post(_enroll_url(), {"text": text, "_confirm": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "&quot;not-an-email&quot; is not a valid email address" in html
    assert "&quot;2026-13-01&quot; is not a date (YYYY-MM-DD)" in html
    assert "this page enrolls in finance-analyst" in html
    assert "3 rows: 4 errors, nothing enrolled" in html
    assert Enrollment.objects.count() == 0


def test_a_bad_header_is_an_error_not_a_crash(author_client, version):
    response = author_client.post(_enroll_url(), {"file": _upload("mail,role\nx,y\n")})
    assert response.status_code == 400
    assert b"unknown column" in response.content


def test_it_exports_each_format_and_logs_it(author_client, version, settings):
    settings.SITE_URL = "https://firstvalue.example.com"
    url = reverse("studio:export", kwargs={"slug": "finance-analyst"})
    for fmt in ("openwebui", "csv", "m365-agent"):
        response = author_client.post(url, {"format": fmt})
        assert response.status_code == 200, response.content[:300]
        assert "attachment" in response["Content-Disposition"]
    assert set(ExportLog.objects.values_list("via", flat=True)) == {"studio"}


def test_it_imports_a_pack_file_as_a_draft(author_client, version):
    document = version_to_document(version)
    document["name"] = "Imported analyst"
    upload = _upload(dump_yaml(document), "pack.yaml")
    response = author_client.post(reverse("studio:import"), {"file": upload})
    assert response.status_code == 302
    draft = RolePackVersion.objects.get(status="draft")
    assert draft.name == "Imported analyst"


def test_an_import_lists_every_error_by_line(author_client, version):
    document = version_to_document(version)
    document["fvm"]["target_minutes"] = 95
    upload = _upload(dump_yaml(document), "pack.yaml")
    response = author_client.post(reverse("studio:import"), {"file": upload})
    assert response.status_code == 400
    assert b"target minutes (95) must be less than baseline minutes (90)" in response.content
    assert not RolePackVersion.objects.filter(status="draft").exists()
