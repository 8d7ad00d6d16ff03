"""Property: any valid document survives dump → import → export unchanged."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roles.canonical import normalize_document, version_to_document
from roles.document_types import MESSAGE_PLACEHOLDERS, placeholders
from roles.imports import rolepack_import_document
from roles.models import RolePack
from roles.packfile import dump_yaml, load_text
from roles.validation import validate_document

# Unicode without surrogates, NUL and other control characters (PostgreSQL text refuses NUL);
# newlines, tabs and Markdown punctuation are in.
CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
MARKDOWN_BITS = st.sampled_from(
    ["**bold**", "_it_", "\n\n", "\n- item", "\n1. one", "`code`", "> quote", "# H", "  ", "\t"]
)


def _no_placeholder(text: str) -> bool:
    return not placeholders(text) and "{{" not in text and "}}" not in text


def short_text(max_size=60):
    return st.text(CHARS, min_size=1, max_size=max_size).filter(
        lambda s: s.strip() and _no_placeholder(s)
    )


markdown = (
    st.lists(st.one_of(short_text(40), MARKDOWN_BITS), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda s: s.strip() and _no_placeholder(s))
)
slugs = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
var_names = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True)
minutes = st.integers(min_value=1, max_value=10_000)
numbers = st.one_of(
    st.integers(min_value=-10_000, max_value=10_000),
    st.decimals(min_value=-9999, max_value=9999, places=2, allow_nan=False).map(float),
)


@st.composite
def prompts(draw, slug):
    names = draw(st.lists(var_names, max_size=3, unique=True))
    body = draw(markdown) + "".join(f" {{{{ {name} }}}}" for name in names)
    variables = []
    for name in names:
        variable = {"name": name, "description": draw(short_text())}
        if draw(st.booleans()):
            variable["default"] = draw(short_text())
        variable["required"] = draw(st.booleans())
        variables.append(variable)
    return {
        "slug": slug,
        "title": draw(short_text()),
        "body": body,
        "variables": variables,
        "tags": draw(st.lists(short_text(20), max_size=3)),
    }


@st.composite
def documents(draw):
    prompt_slugs = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    demo_slugs = draw(st.lists(slugs, max_size=2, unique=True))
    baseline = draw(st.integers(min_value=2, max_value=10_000))
    document = {"slug": draw(slugs), "name": draw(short_text())}
    if draw(st.booleans()):
        document["description"] = draw(markdown)
    holdout = draw(st.integers(min_value=0, max_value=50))
    if holdout:
        document["holdout_percent"] = holdout
    document["fvm"] = {
        "deliverable": draw(short_text()),
        "baseline_minutes": baseline,
        "target_minutes": draw(st.integers(min_value=1, max_value=baseline - 1)),
        "evidence": draw(short_text()),
    }
    document["context"] = {
        "audience": draw(short_text()),
        "terminology": draw(st.dictionaries(short_text(20), short_text(), max_size=3)),
        "output_format": draw(short_text()),
    }
    document["prompts"] = [draw(prompts(slug)) for slug in prompt_slugs]
    document["demos"] = []
    for slug in demo_slugs:
        before = draw(st.integers(min_value=2, max_value=1000))
        demo = {
            "slug": slug,
            "title": draw(short_text()),
            "deliverable": draw(short_text()),
            "before_minutes": before,
            "after_minutes": draw(st.integers(min_value=1, max_value=before - 1)),
        }
        if draw(st.booleans()):
            demo["video_url"] = "https://example.com/v/" + draw(slugs)
        demo["steps"] = draw(markdown)
        if draw(st.booleans()):
            demo["presenter"] = draw(short_text())
        document["demos"].append(demo)

    def track(name):
        days = sorted(draw(st.lists(st.integers(1, 7), min_size=1, max_size=4, unique=True)))
        fvm_day = draw(st.sampled_from(days))
        result = []
        for day in days:
            steps = []
            if demo_slugs and draw(st.booleans()):
                steps.append({"kind": "watch_demo", "demo": draw(st.sampled_from(demo_slugs))})
            steps.append({"kind": "try_prompt", "prompt": draw(st.sampled_from(prompt_slugs))})
            if draw(st.booleans()):
                steps.append({"kind": "read", "title": draw(short_text()), "body": draw(markdown)})
            if day == fvm_day:
                steps.append(
                    {
                        "kind": "fvm_task",
                        "title": draw(short_text()),
                        "expected_output": draw(markdown),
                    }
                )
            result.append({"day": day, "steps": steps})
        return {"track": name, "days": result}

    document["path"] = [track("prescriptive")]
    if draw(st.booleans()):
        document["path"].append(track("exploratory"))
    document["interventions"] = [
        {
            "day": day,
            "kind": kind,
            "channel": "in_app",
            "message": draw(markdown) + f" {{{{{draw(st.sampled_from(MESSAGE_PLACEHOLDERS))}}}}}",
        }
        for day, kind in draw(
            st.lists(
                st.tuples(
                    st.integers(1, 7),
                    st.sampled_from(["manager_nudge", "microtraining", "power_user_session"]),
                ),
                max_size=3,
                unique=True,
            )
        )
    ]
    kpis = []
    for name in draw(st.lists(short_text(30), min_size=1, max_size=3, unique=True)):
        baseline_value = draw(numbers)
        delta = draw(st.integers(min_value=1, max_value=500))
        direction = draw(st.sampled_from(["down", "up"]))
        target = round(baseline_value - delta if direction == "down" else baseline_value + delta, 2)
        kpis.append(
            {
                "name": name,
                "unit": draw(short_text(10)),
                "baseline": baseline_value,
                "target": target,
                "direction": direction,
            }
        )
    document["kpis"] = kpis
    return document


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_it_round_trips_any_valid_document_through_yaml(document):
    assert validate_document(document) == []
    canonical = normalize_document(document)
    (loaded,), errors = load_text(dump_yaml(canonical), source="generated.yaml")
    assert errors == []
    assert loaded.document == canonical
    try:
        outcome = rolepack_import_document(document=loaded.document)
        assert version_to_document(outcome.version) == canonical
    finally:
        RolePack.objects.all().delete()
