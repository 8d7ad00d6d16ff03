"""CSV: one row per prompt: role, slug, title, body, variables, tags.

No cell can run as a formula: every cell goes through ``templates_library.csvsafe``
(read a value back with its ``unneutralise``).
"""

import csv
import io
import json

from templates_library.csvsafe import neutralise
from templates_library.exporters.base import ExportFile, file_stem

HEADER = ["role", "slug", "title", "body", "variables", "tags"]


def variables_cell(prompt) -> str:
    return json.dumps(
        [
            {
                "name": v.name,
                "description": v.description,
                "default": v.default,
                "required": v.required,
            }
            for v in prompt.variables.all()
        ],
        ensure_ascii=False,
    )


def rows(versions):
    yield HEADER
    for version in versions:
        for prompt in version.prompts.all():
            yield [
                version.pack.slug,
                prompt.slug,
                prompt.title,
                prompt.body,
                variables_cell(prompt),
                ", ".join(prompt.tags or []),
            ]


def write(rows_) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows_:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8")


def export(versions) -> ExportFile:
    return ExportFile(
        content=write(rows(versions)),
        filename=f"{file_stem(versions)}-prompts.csv",
        content_type="text/csv; charset=utf-8",
    )
