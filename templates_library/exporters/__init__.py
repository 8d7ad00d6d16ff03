"""Exports of role packs' prompt libraries into AI tools.

Each format module has a generator of rows or artefacts per role and a writer, and
one entry point ``export(versions) -> ExportFile`` (bytes, filename, content type).
Exports always use each role's latest *published* version (see
``selectors.export_versions``); :func:`templates_library.exporters.service.prompts_export`
is the one service that runs an export and records an ExportLog.

Several roles in one export:

| format | one role | several roles |
| --- | --- | --- |
| ``m365-agent`` | the app package ``<slug>-m365-agent.zip`` | a zip of app packages, one ``<slug>.zip`` per role |
| ``openwebui`` | one JSON array | one JSON array across roles (commands stay unique) |
| ``prompty`` | a zip of ``<role>/<prompt>.prompty`` | the same zip, one folder per role |
| ``csv`` | one CSV | one CSV, a ``role`` column per row |
| ``markdown`` | one handout | one document, a top-level section per role |
| ``json`` | a JSON array holding the pack document | the same array, one document per role |
| ``openwebui-model`` | a JSON array with the role's model preset | one preset per role |
"""

from templates_library.exporters import (
    csvfile,
    jsonpack,
    m365,
    markdown_doc,
    openwebui,
    openwebui_model,
    prompty,
)
from templates_library.exporters.base import ExportError, ExportFile, file_stem

__all__ = ["EXPORTERS", "FORMATS", "ExportError", "ExportFile", "build_export", "file_stem"]

EXPORTERS = {
    "m365-agent": m365.export,
    "openwebui": openwebui.export,
    "prompty": prompty.export,
    "csv": csvfile.export,
    "markdown": markdown_doc.export,
    "json": jsonpack.export,
    "openwebui-model": openwebui_model.export,
}
FORMATS = tuple(EXPORTERS)


def build_export(versions, fmt: str) -> ExportFile:
    """Run the exporter for ``fmt`` over ``versions`` (no logging; see the service)."""
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not versions:
        raise ExportError("nothing to export: no role given")
    return EXPORTERS[fmt](list(versions))
