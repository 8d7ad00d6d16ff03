"""The services record their high-level events in the audit trail."""

from datetime import date

import pytest

from audit.models import AuditEvent
from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import rows_opener
from onboarding.services import enrollment_enroll
from roles.canonical import version_to_document
from roles.imports import rolepack_import_document
from roles.services import rolepack_version_publish
from templates_library.exporters.service import prompts_export
from tests.factories import UserFactory, make_pack


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_it_records_a_publish_with_who_did_it():
    author = UserFactory()
    draft = make_pack(published=False)
    rolepack_version_publish(version=draft, user=author)
    event = AuditEvent.objects.get(action="pack.publish")
    assert (event.actor, event.object_id, event.after["status"]) == (
        author,
        str(draft.pk),
        "published",
    )


@pytest.mark.django_db
def test_it_records_an_import_of_new_content_only():
    document = version_to_document(make_pack())
    document["slug"] = "copied-pack"
    rolepack_import_document(document=document)
    rolepack_import_document(document=document)  # unchanged: nothing imported
    assert actions().count("pack.import") == 1


@pytest.mark.django_db
def test_it_records_enrolling_and_changing_an_enrollment():
    version = make_pack()
    enrollment_enroll(email="a@example.com", version=version, start_date=date(2026, 11, 2))
    enrollment_enroll(email="a@example.com", version=version, start_date=date(2026, 11, 9))
    create, change = AuditEvent.objects.filter(action__startswith="enrollment.").order_by("id")
    assert (create.action, change.action) == ("enrollment.create", "enrollment.change")
    assert (change.before["start_date"], change.after["start_date"]) == ("2026-11-02", "2026-11-09")


@pytest.mark.django_db
def test_it_records_one_event_per_bulk_import():
    make_pack()
    rows = [
        {"email": f"p{i}@example.com", "role": "finance-analyst", "start_date": "2026-11-02"}
        for i in range(3)
    ]
    enrollments_import(opener=rows_opener(rows), source="api")
    event = AuditEvent.objects.get(action="enrollment.import")
    assert (event.after["rows"], event.after["created"]) == (3, 3)


@pytest.mark.django_db
def test_it_records_an_export():
    make_pack()
    admin = UserFactory(is_staff=True, is_superuser=True)
    prompts_export(fmt="json", all_roles=True, user=admin)
    event = AuditEvent.objects.get(action="export.create")
    assert (event.actor, event.after["format"]) == (admin, "json")
