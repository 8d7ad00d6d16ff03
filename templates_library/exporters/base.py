"""What every exporter returns and raises (imported by each format module)."""

from dataclasses import dataclass


class ExportError(ValueError):
    """An export that cannot be produced as asked; the message says why and for which role."""


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def file_stem(versions) -> str:
    """An export's file name starts with the role's slug, or "firstvalue" for several."""
    return versions[0].pack.slug if len(versions) == 1 else "firstvalue"
