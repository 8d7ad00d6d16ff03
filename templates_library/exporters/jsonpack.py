"""JSON: our own lossless form: a JSON array with one role pack document per role, exactly
what ``import_rolepack`` accepts back (``roles.packfile``, which reads a file
holding one pack or a list of packs)."""

from templates_library.exporters import ExportFile


def export(versions) -> ExportFile:
    from roles.canonical import version_to_document
    from roles.packfile import dump_json

    slug = versions[0].pack.slug if len(versions) == 1 else "firstvalue"
    return ExportFile(
        content=dump_json([version_to_document(v) for v in versions]).encode(),
        filename=f"{slug}-rolepacks.json",
        content_type="application/json",
    )
