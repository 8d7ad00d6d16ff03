"""The reinforcement steps a day-30 or day-90 check-in brings, as the checklist shows steps:
each with its prompt (filled with the person's values) or demo, and whether it is done.

Two queries (the steps, the person's completions of them) plus the version's prompts and
demos, read once per process for a published version (roles/version_content.py).
"""

from roles.models import PathStep
from roles.version_content import version_contents

from ..models import Enrollment, StepCompletion
from .checklists import StepItem, _step_item


def reinforcement_items(*, enrollment: Enrollment, day: int) -> list[StepItem]:
    """The pack's reinforcement steps of ``day`` (30 or 90), in order; empty when none."""
    steps = list(
        PathStep.objects.reinforcement()
        .filter(version_id=enrollment.version_id, day=day)
        .order_by("order", "id")
    )
    if not steps:
        return []
    content = version_contents([enrollment.version])[enrollment.version_id]
    done = dict(
        StepCompletion.objects.filter(enrollment=enrollment, step__in=steps).values_list(
            "step_id", "done_at"
        )
    )
    return [_step_item(step, enrollment, content, {}, done) for step in steps]
