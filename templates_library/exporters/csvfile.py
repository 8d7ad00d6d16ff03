"""CSV: one row per prompt: role, slug, title, body, variables, tags.

Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a single quote in front, and nothing else changes. To read a
value back: if a cell starts with a quote followed by one of those characters, drop
the quote (:func:`unneutralise`); a value that itself began with a quote and one of
them is written with one more quote, so the rule is exact.
"""

import csv
import io
import json

from templates_library.exporters import ExportFile

HEADER = ["role", "slug", "title", "body", "variables", "tags"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    text = value.lstrip("'")
    if text.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(cell: str) -> str:
    text = cell.lstrip("'")
    if cell.startswith("'") and text.startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


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
    slug = versions[0].pack.slug if len(versions) == 1 else "firstvalue"
    return ExportFile(
        content=write(rows(versions)),
        filename=f"{slug}-prompts.csv",
        content_type="text/csv; charset=utf-8",
    )
