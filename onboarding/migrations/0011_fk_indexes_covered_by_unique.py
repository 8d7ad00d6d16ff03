"""Drop the enrollment_id index of three tables whose unique constraint leads with it.

Working days, intervention sends and check-ins are looked up by enrollment through their unique
(enrollment, …) index; their own enrollment_id index only cost writes (9 per person enrolled,
one per row the sweep records). Only the index goes: the foreign keys stay as they are (Django's
AlterField would drop and re-validate them).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = {
    "checkin": "onboarding_checkin",
    "enrollmentday": "onboarding_enrollmentday",
    "interventionsend": "onboarding_interventionsend",
}


def _plain_enrollment_indexes(schema_editor, table):
    """Names of the non-unique indexes on enrollment_id alone (Django's FK index)."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, c in constraints.items()
        if c["index"]
        and not c["unique"]
        and not c["primary_key"]
        and c["columns"] == ["enrollment_id"]
    ]


def drop_indexes(apps, schema_editor):
    for model_name, table in TABLES.items():
        model = apps.get_model("onboarding", model_name)
        for name in _plain_enrollment_indexes(schema_editor, table):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps, schema_editor):
    for model_name in TABLES:
        model = apps.get_model("onboarding", model_name)
        field = model._meta.get_field("enrollment")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def _field(related_name):
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to="onboarding.enrollment",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0010_checkin_failed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField("checkin", "enrollment", _field("checkins")),
                migrations.AlterField("enrollmentday", "enrollment", _field("days")),
                migrations.AlterField(
                    "interventionsend", "enrollment", _field("intervention_sends")
                ),
            ],
        ),
    ]
