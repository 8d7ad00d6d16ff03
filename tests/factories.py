"""Test data built through the real models: a complete, valid, published role pack."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from roles.models import (
    Demo,
    Intervention,
    Kpi,
    PathStep,
    Prompt,
    PromptVariable,
    RolePack,
    RolePackVersion,
    Track,
)
from roles.permissions import enablement_group

User = get_user_model()
PASSWORD = "pw-for-tests-1"  # every factory user's


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):  # factory_boy hook
        if create:
            obj.save(update_fields=["password"])


def enablement_user(**fields):
    """Someone in the "enablement" group: holds the rollout permission (not a superuser)."""
    user = UserFactory(**fields)
    user.groups.add(enablement_group())
    return user


def make_pack(
    slug: str = "finance-analyst",
    *,
    name: str = "Finance analyst",
    prompts: int = 2,
    published: bool = True,
    baseline: int = 90,
    target: int = 10,
    number: int = 1,
    pack: RolePack | None = None,
) -> RolePackVersion:
    """A valid pack version: prompts with variables, a demo, both tracks over days 1–7
    (one fvm_task each, on day 3), the default 3-step ladder and two KPIs."""
    pack = pack or RolePack.objects.create(slug=slug)
    version = RolePackVersion.objects.create(
        pack=pack,
        number=number,
        status=RolePackVersion.Status.PUBLISHED if published else RolePackVersion.Status.DRAFT,
        published_at=timezone.now() if published else None,
        name=name,
        description=f"{name} pack for tests.",
        fvm_deliverable="a variance explanation for the CFO report",
        fvm_baseline_minutes=baseline,
        fvm_target_minutes=target,
        fvm_evidence="link to the submitted explanation",
        context_audience="CFO and finance leadership",
        context_terminology={"BvA": "budget versus actual"},
        context_output_format="three short paragraphs",
    )
    for i in range(prompts):
        prompt = Prompt.objects.create(
            version=version,
            slug=f"prompt-{i + 1}",
            title=f"Prompt {i + 1}",
            body=f"Explain the {{{{period}}}} variances number {i + 1}.\n\n{{{{table}}}}",
            tags=["fvm"] if i == 0 else ["reporting"],
            order=i,
        )
        PromptVariable.objects.create(
            prompt=prompt, name="period", description="the month", required=True, order=0
        )
        PromptVariable.objects.create(
            prompt=prompt,
            name="table",
            description="paste the table",
            default="(table)",
            required=False,
            order=1,
        )
    Demo.objects.create(
        version=version,
        slug="variance-demo",
        title="Variance commentary in 10 minutes",
        deliverable="the October variance commentary",
        before_minutes=baseline,
        after_minutes=target,
        steps="1. Export the table.\n2. Paste it.\n3. Check every number.",
        presenter="Dana",
    )
    for track in Track.values:
        for day in range(1, 8):
            if day == 1:
                PathStep.objects.create(
                    version=version,
                    track=track,
                    day=1,
                    order=0,
                    kind=PathStep.Kind.WATCH_DEMO,
                    title="Watch the demo",
                    demo_slug="variance-demo",
                )
                PathStep.objects.create(
                    version=version,
                    track=track,
                    day=1,
                    order=1,
                    kind=PathStep.Kind.TRY_PROMPT,
                    title="Try the prompt",
                    prompt_slug="prompt-1",
                )
            elif day == 3:
                PathStep.objects.create(
                    version=version,
                    track=track,
                    day=3,
                    order=0,
                    kind=PathStep.Kind.FVM_TASK,
                    title="Write this month's variance commentary with the AI",
                    prompt_slug="prompt-1",
                    expected_output="Three paragraphs the CFO can paste.",
                )
            else:
                PathStep.objects.create(
                    version=version,
                    track=track,
                    day=day,
                    order=0,
                    kind=PathStep.Kind.REFLECT,
                    title=f"Day {day}: reflect",
                )
    for day, kind, channel in (
        (5, Intervention.Kind.MANAGER_NUDGE, Intervention.Channel.EMAIL),
        (6, Intervention.Kind.MICROTRAINING, Intervention.Channel.EMAIL),
        (7, Intervention.Kind.POWER_USER_SESSION, Intervention.Channel.EMAIL),
    ):
        Intervention.objects.create(
            version=version,
            day=day,
            kind=kind,
            channel=channel,
            message=f"Day {day}: help {{{{name}}}} with {{{{one_task}}}}.",
        )
    Kpi.objects.create(
        version=version, name="Commentary time", unit="minutes", baseline=90, target=15
    )
    Kpi.objects.create(
        version=version,
        name="Reports on time",
        unit="%",
        baseline=70,
        target=95,
        direction=Kpi.Direction.UP,
        order=1,
    )
    return version


def make_pack_with_steps(slug: str, total: int) -> RolePackVersion:
    """A published pack whose prescriptive path is ``total`` steps over days 1–7 (a demo, a
    prompt and a reflection in turn): for the tests that hold a query count whatever the
    path's length."""
    version = make_pack(slug, prompts=3)
    PathStep.objects.filter(version=version).delete()
    kinds = [PathStep.Kind.WATCH_DEMO, PathStep.Kind.TRY_PROMPT, PathStep.Kind.REFLECT]
    PathStep.objects.bulk_create(
        PathStep(
            version=version,
            track=Track.PRESCRIPTIVE,
            day=i % 7 + 1,
            order=i,
            kind=kinds[i % 3],
            title=f"Step {i}",
            body=f"Do **step {i}**.",
            demo_slug="variance-demo" if i % 3 == 0 else "",
            prompt_slug=f"prompt-{i % 3 + 1}" if i % 3 == 1 else "",
        )
        for i in range(total)
    )
    return version
