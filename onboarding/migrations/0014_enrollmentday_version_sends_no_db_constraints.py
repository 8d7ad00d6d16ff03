"""Working days carry their enrollment's version; intervention sends lose their DB constraints.

The sweep then finds a version's due days from the index (number, version, begins_at) alone,
and writes its sends without foreign-key checks (docs/triggers.md, "The sweep is set-based").

The backfill is plain SQL that SQLite and PostgreSQL both run: days whose enrollment is gone
(possible only through raw SQL since 0013 dropped their constraint) have no version to take
and are deleted first, then each day takes its enrollment's version.
"""

import django.db.models.deletion
from django.db import migrations, models

DELETE_ORPHAN_DAYS = """
    DELETE FROM onboarding_enrollmentday
    WHERE NOT EXISTS (
        SELECT 1 FROM onboarding_enrollment e WHERE e.id = onboarding_enrollmentday.enrollment_id
    )
"""
BACKFILL_VERSION = """
    UPDATE onboarding_enrollmentday SET version_id = (
        SELECT e.version_id FROM onboarding_enrollment e
        WHERE e.id = onboarding_enrollmentday.enrollment_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0013_enrollmentday_no_db_constraint"),
        ("roles", "0008_step_minutes_reinforcement_kpi_measured_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollmentday",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="roles.rolepackversion",
            ),
        ),
        # Backwards there is nothing to undo: the column goes with the field.
        migrations.RunSQL(DELETE_ORPHAN_DAYS, migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL_VERSION, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="enrollmentday",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="roles.rolepackversion",
            ),
        ),
        migrations.RemoveIndex(
            model_name="enrollmentday",
            name="enrollmentday_sweep",
        ),
        migrations.AddIndex(
            model_name="enrollmentday",
            index=models.Index(
                fields=["number", "version", "begins_at"],
                include=("enrollment",),
                name="enrollmentday_sweep",
            ),
        ),
        migrations.AlterField(
            model_name="interventionsend",
            name="enrollment",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="intervention_sends",
                to="onboarding.enrollment",
            ),
        ),
        migrations.AlterField(
            model_name="interventionsend",
            name="intervention",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="roles.intervention",
            ),
        ),
    ]
