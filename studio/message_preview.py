"""The interventions editor's live preview: each intervention being written, as a send would
write it to a sample person (onboarding.notifications.intervention_preview, the senders' own
renderer), from the form's unsaved text. The rest of the pack (its FVM task, the role, the
other interventions) comes from the working version as saved."""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.notifications import Message, intervention_preview
from roles.models import Intervention, RolePack
from studio import selectors

NO_KIND = "Choose its kind to see who gets it and what it says."
NO_MESSAGE = "Write the message to see it here."


@dataclass
class MessagePreview:
    number: int  # 1-based, as the form's items are labelled
    title: str
    message: Message | None = None
    problem: str = ""


def _day(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _one(version, number: int, item: dict) -> MessagePreview:
    kind, day = item.get("kind"), _day(item.get("day"))
    kinds = dict(Intervention.Kind.choices)
    title = " · ".join(
        part for part in (f"Day {day}" if day is not None else "", kinds.get(kind, "")) if part
    )
    heading = f"Intervention {number}: {title}" if title else f"Intervention {number}"
    preview = MessagePreview(number=number, title=heading)
    text = str(item.get("message") or "")
    if kind not in kinds:
        preview.problem = NO_KIND
    elif not text.strip():
        preview.problem = NO_MESSAGE
    else:
        channel = item.get("channel")
        intervention = Intervention(
            version=version,
            day=day or 1,
            kind=kind,
            channel=channel if channel in Intervention.Channel.values else "email",
            message=text,
        )
        preview.message = intervention_preview(version=version, intervention=intervention)
    return preview


def message_previews(pack: RolePack, document: dict) -> list[MessagePreview]:
    """One preview per intervention of ``document`` (the form as the author has it)."""
    version = selectors.working_with_rows(pack=pack)
    items = document.get("interventions")
    if version is None or not isinstance(items, list):
        return []
    return [
        _one(version, number, item)
        for number, item in enumerate(items, start=1)
        if isinstance(item, dict)
    ]
