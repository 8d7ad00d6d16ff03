"""JSON: our own lossless form: a JSON array with one role pack document per role, exactly
what ``import_rolepack`` accepts back (``roles.packfile``, which reads a file
holding one pack or a list of packs)."""

from roles.canonical import version_to_document
from roles.packfile import dump_json
from templates_library.exporters.base import ExportFile, file_stem


def export(versions) -> ExportFile:
    return ExportFile(
        content=dump_json([version_to_document(v) for v in versions]).encode(),
        filename=f"{file_stem(versions)}-rolepacks.json",
        content_type="application/json",
    )
