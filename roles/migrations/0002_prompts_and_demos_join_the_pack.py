"""Prompts, their variables and demos join the pack (state only: the tables and rows stay).

The next migration renames the tables; ``templates_library`` drops them from its state.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0001_initial"),
        ("templates_library", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Prompt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=80)),
                        ("title", models.CharField(max_length=200)),
                        (
                            "body",
                            models.TextField(help_text="Markdown with {{variable}} placeholders."),
                        ),
                        ("tags", models.JSONField(blank=True, default=list)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="prompts",
                                to="roles.rolepackversion",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["version", "order", "id"],
                        "db_table": "templates_library_prompt",
                    },
                ),
                migrations.CreateModel(
                    name="PromptVariable",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=60)),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("default", models.TextField(blank=True)),
                        ("required", models.BooleanField(default=True)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "prompt",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="variables",
                                to="roles.prompt",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["prompt", "order", "id"],
                        "db_table": "templates_library_promptvariable",
                    },
                ),
                migrations.CreateModel(
                    name="Demo",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=80)),
                        ("title", models.CharField(max_length=200)),
                        ("deliverable", models.CharField(max_length=300)),
                        ("before_minutes", models.PositiveIntegerField()),
                        ("after_minutes", models.PositiveIntegerField()),
                        ("video_url", models.URLField(blank=True)),
                        ("steps", models.TextField(blank=True, help_text="Markdown.")),
                        ("presenter", models.CharField(blank=True, max_length=120)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="demos",
                                to="roles.rolepackversion",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["version", "order", "id"],
                        "db_table": "templates_library_demo",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("version", "slug"), name="demo_unique_slug"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="prompt",
                    constraint=models.UniqueConstraint(
                        fields=("version", "slug"), name="prompt_unique_slug"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="promptvariable",
                    constraint=models.UniqueConstraint(
                        fields=("prompt", "name"), name="promptvariable_unique_name"
                    ),
                ),
            ],
        ),
    ]
