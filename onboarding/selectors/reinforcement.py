"""The reinforcement steps a day-30 or day-90 check-in brings, as the checklist shows steps:
each with its prompt (filled with the person's values) or demo, and whether it is done.

Four queries whatever the number of steps: steps, prompts (+ variables), demos, completions.
"""

from roles.models import Demo, PathStep, Prompt

from ..models import Enrollment, StepCompletion
from .checklists import StepItem, _Content, _step_item


def reinforcement_items(*, enrollment: Enrollment, day: int) -> list[StepItem]:
    """The pack's reinforcement steps of ``day`` (30 or 90), in order; empty when none."""
    steps = list(
        PathStep.objects.reinforcement()
        .filter(version_id=enrollment.version_id, day=day)
        .order_by("order", "id")
    )
    if not steps:
        return []
    version = enrollment.version_id
    content = _Content()
    prompt_slugs = {s.prompt_slug for s in steps if s.prompt_slug}
    demo_slugs = {s.demo_slug for s in steps if s.demo_slug}
    if prompt_slugs:
        prompts = Prompt.objects.filter(version_id=version, slug__in=prompt_slugs)
        for prompt in prompts.prefetch_related("variables"):
            content.prompts[(version, prompt.slug)] = prompt
    if demo_slugs:
        for demo in Demo.objects.filter(version_id=version, slug__in=demo_slugs):
            content.demos[(version, demo.slug)] = demo
    done = dict(
        StepCompletion.objects.filter(enrollment=enrollment, step__in=steps).values_list(
            "step_id", "done_at"
        )
    )
    return [_step_item(step, enrollment, content, {}, done) for step in steps]
