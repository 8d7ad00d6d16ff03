"""Markdown: a readable handout per role (FVM sentence, context, prompts with their
variables, demos). Several roles make one document with a top-level section per role,
separated by a rule."""

from templates_library.exporters.base import ExportFile, file_stem
from templates_library.exporters.common import role_context_lines


def _fence(text: str) -> str:
    # A fence longer than any backtick run inside, so a prompt cannot close it early.
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def sections(version):
    yield f"# {version.name}"
    if version.description:
        yield version.description.strip()
    yield f"**First value.** {version.fvm_sentence}"
    if version.fvm_evidence:
        yield f"Evidence: {version.fvm_evidence}"
    context = role_context_lines(version)
    if context:
        items = [f"  {line}" if line.startswith("- ") else f"- {line}" for line in context]
        yield "## Context\n\n" + "\n".join(items)
    prompts = list(version.prompts.all())
    if prompts:
        yield "## Prompts"
        for prompt in prompts:
            parts = [f"### {prompt.title}"]
            if prompt.tags:
                parts.append("Tags: " + ", ".join(prompt.tags))
            parts.append(_fence(prompt.body))
            variables = list(prompt.variables.all())
            if variables:
                lines = []
                for v in variables:
                    line = f"- `{v.name}`" + (" (required)" if v.required else " (optional)")
                    if v.description:
                        line += f": {v.description}"
                    if v.default:
                        line += f" Default: {v.default}"
                    lines.append(line)
                parts.append("Variables:\n\n" + "\n".join(lines))
            yield "\n\n".join(parts)
    demos = list(version.demos.all())
    if demos:
        yield "## Demos"
        for demo in demos:
            parts = [
                f"### {demo.title}",
                f"Deliverable: {demo.deliverable}. Before: {demo.before_minutes} minutes; "
                f"with AI: {demo.after_minutes} minutes.",
            ]
            if demo.presenter:
                parts.append(f"Presenter: {demo.presenter}")
            if demo.video_url:
                parts.append(f"Recording: <{demo.video_url}>")
            if demo.steps:
                parts.append(demo.steps.strip())
            yield "\n\n".join(parts)


def document(versions) -> str:
    roles = ["\n\n".join(sections(version)) for version in versions]
    return "\n\n---\n\n".join(roles) + "\n"


def export(versions) -> ExportFile:
    return ExportFile(
        content=document(versions).encode(),
        filename=f"{file_stem(versions)}-prompts.md",
        content_type="text/markdown; charset=utf-8",
    )
