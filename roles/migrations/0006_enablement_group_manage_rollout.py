"""Grant the rollout permission to the "enablement" group (created if missing).

On a fresh database the permission row does not exist yet (Django creates permissions after
the last migration), so it is created here; Django's own pass then finds it and adds nothing.
"""

from django.db import migrations

CODENAME = "manage_rollout"
NAME = "Can author role packs, enroll people, export and read reports"
GROUP = "enablement"


def _permission(apps, alias):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.using(alias).get_or_create(
        app_label="roles", model="rolepack"
    )
    permission, _ = Permission.objects.using(alias).get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    return permission


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    group.permissions.add(_permission(apps, alias))


def revoke(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.using(alias).filter(name=GROUP):
        group.permissions.remove(_permission(apps, alias))


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0005_rolepack_manage_rollout"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
