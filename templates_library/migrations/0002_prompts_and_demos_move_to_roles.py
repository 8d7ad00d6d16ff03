"""Prompts, their variables and demos now belong to ``roles`` (state only: rows stay)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("templates_library", "0001_initial"),
        ("roles", "0002_prompts_and_demos_join_the_pack"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="PromptVariable"),
                migrations.DeleteModel(name="Prompt"),
                migrations.DeleteModel(name="Demo"),
            ],
        ),
    ]
