"""Markdown: a readable handout per role (FVM sentence, context, prompts with their
variables, demos). Several roles make one document with a top-level section per role,
separated by a rule.

No HTML from authored text reaches the handout (``docs/exports.md``): every ``<`` outside the
prompt fences is written as ``&lt;``, which Markdown shows as ``<`` but never reads as a tag;
prompt bodies sit in a fence longer than any backtick run inside them.
"""

from urllib.parse import quote

from templates_library.exporters.base import ExportFile, file_stem
from templates_library.exporters.common import role_context_lines


def text(value) -> str:
    """Authored text as Markdown that shows it as written and holds no HTML."""
    return str(value or "").replace("<", "&lt;")


def _fence(text: str) -> str:
    # A fence longer than any backtick run inside, so a prompt cannot close it early.
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


# Every URL character but the angle brackets and spaces that would end an autolink.
_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in "<> ")


def sections(version):
    yield f"# {text(version.name)}"
    if version.description:
        yield text(version.description.strip())
    yield f"**First value.** {text(version.fvm_sentence)}"
    if version.fvm_evidence:
        yield f"Evidence: {text(version.fvm_evidence)}"
    context = role_context_lines(version)
    if context:
        items = [f"  {text(ln)}" if ln.startswith("- ") else f"- {text(ln)}" for ln in context]
        yield "## Context\n\n" + "\n".join(items)
    prompts = list(version.prompts.all())
    if prompts:
        yield "## Prompts"
        for prompt in prompts:
            parts = [f"### {text(prompt.title)}"]
            if prompt.tags:
                parts.append("Tags: " + ", ".join(text(tag) for tag in prompt.tags))
            parts.append(_fence(prompt.body))
            variables = list(prompt.variables.all())
            if variables:
                lines = []
                for v in variables:
                    line = f"- `{v.name}`" + (" (required)" if v.required else " (optional)")
                    if v.description:
                        line += f": {text(v.description)}"
                    if v.default:
                        line += f" Default: {text(v.default)}"
                    lines.append(line)
                parts.append("Variables:\n\n" + "\n".join(lines))
            yield "\n\n".join(parts)
    demos = list(version.demos.all())
    if demos:
        yield "## Demos"
        for demo in demos:
            parts = [
                f"### {text(demo.title)}",
                f"Deliverable: {text(demo.deliverable)}. Before: {demo.before_minutes} minutes; "
                f"with AI: {demo.after_minutes} minutes.",
            ]
            if demo.presenter:
                parts.append(f"Presenter: {text(demo.presenter)}")
            if demo.video_url:
                parts.append(f"Recording: <{quote(demo.video_url, safe=_URL_SAFE)}>")
            if demo.steps:
                parts.append(text(demo.steps.strip()))
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
