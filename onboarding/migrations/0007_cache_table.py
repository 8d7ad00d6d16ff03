"""The database cache's table (settings.CACHES without CACHE_URL): the store the sign-in link
rate limit shares between processes. Nothing to do when the cache is Redis."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0006_verbose_names")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
