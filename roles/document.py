"""The pack document, declared once (docs/rolepack-format.md).

Each class below is one mapping of the document. Its fields, in format order, give the
type, the limits (max lengths and ranges read from the models' fields, so the database and
the document cannot disagree), the choices (the models' ``TextChoices``), the column each
value is stored in, whether it is Markdown, and its canonical form. Everything that reads or
writes a document walks this tree: the validator (:mod:`roles.validation`), the canonical
form and the stored rows (:mod:`roles.canonical`), the pack-file codec
(:mod:`roles.packfile`) and the API's OpenAPI description (drf-spectacular reads the
pydantic models). Why pydantic: docs/rolepack-format.md, "How the format is declared".

Adding an optional field is one line here (plus its model column when it is stored).
"""

from typing import Annotated

from pydantic import BeforeValidator, Field, WrapValidator

from roles.document_types import (
    MESSAGE_PLACEHOLDERS,
    Canonical,
    Flag,
    Holdout,
    Markdown,
    Meaning,
    Minutes,
    Number,
    OneOrMany,
    OptionalSlug,
    OptionalText,
    PastDate,
    ReinforcementDay,
    Section,
    Slug,
    StepMinutes,
    Tag,
    Term,
    Text,
    Url,
    VariableName,
    WebhookUrl,
    WorkingDay,
    choice,
    on,
    one_or_many,
    tracks,
)
from roles.models import (
    Demo,
    Intervention,
    Kpi,
    PathStep,
    Prompt,
    PromptVariable,
    RolePackVersion,
    Track,
)

# Column binders: ``ON_VERSION("fvm_deliverable")`` is that column of RolePackVersion.
ON_VERSION, ON_PROMPT, ON_VARIABLE, ON_DEMO, ON_STEP, ON_INTERVENTION, ON_KPI = (
    on(m) for m in (RolePackVersion, Prompt, PromptVariable, Demo, PathStep, Intervention, Kpi)
)


class FvmDoc(Section):
    what = "the FVM definition"
    deliverable: Annotated[Text, ON_VERSION("fvm_deliverable")]
    baseline_minutes: Annotated[Minutes, ON_VERSION("fvm_baseline_minutes")] = Field(
        description="Minutes the deliverable takes without AI."
    )
    target_minutes: Annotated[Minutes, ON_VERSION("fvm_target_minutes")] = Field(
        description="Minutes with AI; below baseline_minutes."
    )
    evidence: Annotated[Text, ON_VERSION("fvm_evidence")]
    subject: Annotated[OptionalText, ON_VERSION("fvm_subject")] = Field(
        "", description='Who reaches first value, e.g. "an HR business partner".'
    )


class ContextDoc(Section):
    what = "the role context"
    audience: Annotated[Text, ON_VERSION("context_audience")]
    terminology: Annotated[dict[Term, Meaning], ON_VERSION("context_terminology")] = Field(
        default_factory=dict, description="Term → meaning."
    )
    output_format: Annotated[Text, ON_VERSION("context_output_format")]


class VariableDoc(Section):
    what = "a prompt variable"
    rows = PromptVariable
    name: Annotated[VariableName, ON_VARIABLE("name")]
    description: Annotated[Text, ON_VARIABLE("description")]
    default: Annotated[OptionalText, ON_VARIABLE("default")] = ""
    required: Annotated[Flag, ON_VARIABLE("required")] = True


class PromptDoc(Section):
    what = "a prompt"
    rows = Prompt
    slug: Annotated[Slug, ON_PROMPT("slug")]
    title: Annotated[Text, ON_PROMPT("title")]
    body: Annotated[Text, ON_PROMPT("body"), Markdown()] = Field(
        description="Markdown with {{variable}} placeholders."
    )
    variables: list[VariableDoc] = Field(default_factory=list)
    tags: Annotated[list[Tag], ON_PROMPT("tags")] = Field(default_factory=list)


class DemoDoc(Section):
    what = "a demo"
    rows = Demo
    slug: Annotated[Slug, ON_DEMO("slug")]
    title: Annotated[Text, ON_DEMO("title")]
    deliverable: Annotated[Text, ON_DEMO("deliverable")]
    before_minutes: Annotated[Minutes, ON_DEMO("before_minutes")]
    after_minutes: Annotated[Minutes, ON_DEMO("after_minutes")] = Field(
        description="Below before_minutes."
    )
    video_url: Annotated[Url, ON_DEMO("video_url")] = ""
    steps: Annotated[Text, ON_DEMO("steps"), Markdown()]
    presenter: Annotated[OptionalText, ON_DEMO("presenter")] = ""


class StepDoc(Section):
    what = "a step"
    rows = PathStep
    kind: Annotated[choice(PathStep.Kind), ON_STEP("kind")]
    title: Annotated[OptionalText, ON_STEP("title")] = ""
    body: Annotated[OptionalText, ON_STEP("body"), Markdown()] = ""
    prompt: Annotated[OptionalSlug, ON_STEP("prompt_slug")] = Field(
        "", description="A prompt slug of this pack."
    )
    demo: Annotated[OptionalSlug, ON_STEP("demo_slug")] = Field(
        "", description="A demo slug of this pack."
    )
    expected_output: Annotated[OptionalText, ON_STEP("expected_output"), Markdown()] = ""
    minutes: Annotated[StepMinutes, ON_STEP("minutes")] = Field(
        None,
        description="Minutes the step takes, for training hours (default: a watch_demo step's "
        "demo after_minutes, else a default per kind).",
    )


class DayDoc(Section):
    what = "a day: {day, steps}"
    day: Annotated[WorkingDay, ON_STEP("day")]
    steps: list[StepDoc]


class TrackDoc(Section):
    what = "a track: {track, days}"
    picks = staticmethod(lambda step: not step.is_reinforcement)
    track: Annotated[choice(Track), ON_STEP("track")]
    days: Annotated[list[DayDoc], Canonical(sort=lambda day: day["day"])]


class ReinforcementStepDoc(StepDoc):
    what = "a reinforcement step"
    kind: Annotated[choice(PathStep.REINFORCEMENT_KINDS), ON_STEP("kind")]


class ReinforcementDoc(Section):
    what = "a reinforcement day: {day, steps}"
    picks = staticmethod(lambda step: step.is_reinforcement)
    day: Annotated[ReinforcementDay, ON_STEP("day")] = Field(
        description="The check-in that brings these steps: 30 or 90."
    )
    steps: list[ReinforcementStepDoc]


class InterventionDoc(Section):
    what = "an intervention"
    rows = Intervention
    day: Annotated[WorkingDay, ON_INTERVENTION("day")]
    kind: Annotated[choice(Intervention.Kind), ON_INTERVENTION("kind")]
    channel: Annotated[choice(Intervention.Channel), ON_INTERVENTION("channel")]
    message: Annotated[Text, ON_INTERVENTION("message"), Markdown()] = Field(
        description="Markdown; " + ", ".join(f"{{{{{p}}}}}" for p in MESSAGE_PLACEHOLDERS)
    )
    webhook_url: Annotated[WebhookUrl, ON_INTERVENTION("webhook_url")] = Field(
        "", description="https, a public address; slack and teams only."
    )


class KpiDoc(Section):
    what = "a KPI"
    rows = Kpi
    name: Annotated[Text, ON_KPI("name")]
    unit: Annotated[Text, ON_KPI("unit")]
    baseline: Annotated[Number, ON_KPI("baseline")]
    target: Annotated[Number, ON_KPI("target")]
    direction: Annotated[choice(Kpi.Direction), ON_KPI("direction")]
    baseline_measured_on: Annotated[PastDate, ON_KPI("baseline_measured_on")] = Field(
        None, description="YYYY-MM-DD, when the baseline was measured (before the first start)."
    )


def _track_order(track: dict):
    return Track.values.index(track["track"])


def _intervention_order(item: dict):
    return item["day"], Intervention.Kind.values.index(item["kind"])


class PackDocument(Section):
    """A whole role pack, as in docs/rolepack-format.md."""

    what = "a role pack"
    rows = RolePackVersion
    slug: Annotated[Slug, ON_VERSION("pack.slug")]
    name: Annotated[Text, ON_VERSION("name")] = Field(
        description="The role, as in the FVM sentence."
    )
    description: Annotated[OptionalText, ON_VERSION("description"), Markdown()] = ""
    holdout_percent: Annotated[Holdout, ON_VERSION("holdout_percent")] = 0
    fvm: FvmDoc
    context: ContextDoc
    prompts: list[PromptDoc] = Field(default_factory=list)
    demos: list[DemoDoc] = Field(default_factory=list)
    path: Annotated[
        list[TrackDoc],
        WrapValidator(tracks),
        BeforeValidator(one_or_many),
        OneOrMany(),
        Canonical(sort=_track_order),
    ] = Field(description="The tracks (a single {track, days} mapping is read as one).")
    interventions: Annotated[list[InterventionDoc], Canonical(sort=_intervention_order)] = Field(
        default_factory=list
    )
    kpis: list[KpiDoc]
    reinforcement: Annotated[
        list[ReinforcementDoc], Canonical(omit_empty=True, sort=lambda day: day["day"])
    ] = Field(default_factory=list, description="Steps the day-30 and day-90 check-ins bring.")
