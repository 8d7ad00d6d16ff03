from django.conf import settings
from django.db import migrations, models


def mark_given_up(apps, schema_editor):
    # Before this field, an unsent check-in with SEND_MAX_ATTEMPTS tries was given up.
    Checkin = apps.get_model("onboarding", "Checkin")
    Checkin.objects.filter(sent_at__isnull=True, attempts__gte=settings.SEND_MAX_ATTEMPTS).update(
        failed=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0009_send_delivery_uncertain"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="failed",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_given_up, migrations.RunPython.noop),
    ]
