"""An index on lower(auth_user.email): enrolling looks accounts up by it, case-insensitively.

Without it each batch of a bulk import scans every account (minutes for 100k people).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("onboarding", "0003_too_late_status"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS onboarding_auth_user_email_lower"
            " ON auth_user (lower(email))",
            "DROP INDEX IF EXISTS onboarding_auth_user_email_lower",
        ),
    ]
