"""Rename the moved tables to roles_* and move their content types to ``roles``, so that
permissions (``roles.add_prompt``) and admin log entries follow the models."""

from django.db import migrations

MOVED = ("prompt", "promptvariable", "demo")


def move_content_types(apps, schema_editor, old="templates_library", new="roles"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already moved (or created fresh by a later post_migrate)
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="roles", new="templates_library")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("roles", "0002_prompts_and_demos_join_the_pack"),
        ("templates_library", "0002_prompts_and_demos_move_to_roles"),
    ]

    operations = [
        migrations.AlterModelTable(name="prompt", table=None),
        migrations.AlterModelTable(name="promptvariable", table=None),
        migrations.AlterModelTable(name="demo", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
