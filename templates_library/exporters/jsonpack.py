"""JSON: our own lossless form: a JSON array with one role pack document per role, exactly
what ``import_rolepack`` accepts back (``templates_library.packfile``, which reads a file
holding one pack or a list of packs)."""

from templates_library.exporters import ExportFile


def export(versions) -> ExportFile:
    from templates_library.packfile import dump_json, version_to_document

    slug = versions[0].pack.slug if len(versions) == 1 else "firstvalue"
    return ExportFile(
        content=dump_json([version_to_document(v) for v in versions]).encode(),
        filename=f"{slug}-rolepacks.json",
        content_type="application/json",
    )
