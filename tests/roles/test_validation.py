"""The one role pack validator: every rule, on plain documents (no database)."""

import copy

import pytest

from roles.validation import PackError, PackValidationError, raise_for_errors, validate_document


def valid_document():
    return {
        "slug": "finance-analyst",
        "name": "Finance analyst",
        "description": "Month-end reporting.",
        "holdout_percent": 10,
        "fvm": {
            "deliverable": "a variance explanation",
            "baseline_minutes": 90,
            "target_minutes": 10,
            "evidence": "link to the explanation",
        },
        "context": {
            "audience": "CFO",
            "terminology": {"BvA": "budget versus actual"},
            "output_format": "three paragraphs",
        },
        "prompts": [
            {
                "slug": "variance",
                "title": "Explain a variance",
                "body": "Explain {{ period }} using {{table}}.",
                "variables": [
                    {"name": "period", "description": "the month"},
                    {"name": "table", "description": "the table", "required": False},
                ],
                "tags": ["fvm"],
            }
        ],
        "demos": [
            {
                "slug": "variance-demo",
                "title": "Demo",
                "deliverable": "the commentary",
                "before_minutes": 90,
                "after_minutes": 10,
                "steps": "1. Export.",
            }
        ],
        "path": [
            {
                "track": "prescriptive",
                "days": [
                    {
                        "day": 1,
                        "steps": [
                            {"kind": "watch_demo", "demo": "variance-demo"},
                            {"kind": "try_prompt", "prompt": "variance"},
                        ],
                    },
                    {"day": 2, "steps": [{"kind": "fvm_task", "title": "Do it for real"}]},
                ],
            }
        ],
        "interventions": [
            {"day": 5, "kind": "manager_nudge", "channel": "email", "message": "Help {{name}}."},
            {
                "day": 7,
                "kind": "power_user_session",
                "channel": "slack",
                "message": "Pair with {{ name }} on {{one_task}}",
                "webhook_url": "https://hooks.slack.com/services/x",
            },
        ],
        "kpis": [
            {"name": "Time", "unit": "min", "baseline": 90, "target": 15, "direction": "down"}
        ],
    }


def errors_of(document, **kwargs):
    return [(e.path, e.message) for e in validate_document(document, **kwargs)]


def with_change(change):
    document = valid_document()
    change(document)
    return errors_of(document)


def assert_error(change, path, fragment):
    errors = with_change(change)
    assert any(p == path and fragment in m for p, m in errors), errors


def test_it_accepts_a_valid_document():
    assert errors_of(valid_document()) == []


def test_it_accepts_a_single_track_mapping_as_path():
    document = valid_document()
    document["path"] = document["path"][0]
    assert errors_of(document) == []


def test_it_accepts_a_minimal_document():
    document = valid_document()
    for key in ("description", "holdout_percent", "prompts", "demos", "interventions"):
        del document[key]
    document["path"][0]["days"] = [document["path"][0]["days"][1]]
    del document["context"]["terminology"]
    assert errors_of(document) == []


@pytest.mark.parametrize(
    "key", ["slug", "name", "fvm", "context", "path", "kpis"], ids=lambda k: f"missing-{k}"
)
def test_it_requires_the_top_level_fields(key):
    assert_error(lambda d: d.pop(key), key, f'"{key}" is required')


@pytest.mark.parametrize(
    "section,key",
    [
        ("fvm", "deliverable"),
        ("fvm", "baseline_minutes"),
        ("fvm", "target_minutes"),
        ("fvm", "evidence"),
        ("context", "audience"),
        ("context", "output_format"),
    ],
)
def test_it_requires_the_fvm_and_context_fields(section, key):
    assert_error(lambda d: d[section].pop(key), f"{section}.{key}", "is required")


@pytest.mark.parametrize("value", [True, "90", 90.0, None])
def test_minutes_must_be_integers_not_bools_or_strings(value):
    errors = with_change(lambda d: d["fvm"].update(baseline_minutes=value))
    assert errors and errors[0][0] == "fvm.baseline_minutes"


def test_a_bool_is_not_an_integer_and_says_so():
    assert_error(
        lambda d: d["fvm"].update(target_minutes=True),
        "fvm.target_minutes",
        "must be an integer, got a boolean (true)",
    )


def test_the_fvm_target_must_be_below_the_baseline():
    assert_error(
        lambda d: d["fvm"].update(target_minutes=90),
        "fvm.target_minutes",
        "must be less than baseline minutes (90)",
    )


def test_minutes_must_be_positive():
    assert_error(
        lambda d: d["fvm"].update(target_minutes=0), "fvm.target_minutes", "must be a positive"
    )


def test_holdout_is_between_0_and_50():
    assert_error(lambda d: d.update(holdout_percent=51), "holdout_percent", "between 0 and 50")
    assert_error(lambda d: d.update(holdout_percent="5"), "holdout_percent", "an integer")


def test_unknown_keys_are_errors_everywhere():
    def change(d):
        d["colour"] = "x"
        d["fvm"]["baseline"] = 1
        d["prompts"][0]["variables"][0]["requird"] = True
        d["path"][0]["days"][0]["steps"][0]["prompts"] = "x"

    errors = dict(with_change(change))
    assert 'unknown field "colour"' in errors["colour"]
    assert "unknown field" in errors["fvm.baseline"]
    assert "unknown field" in errors["prompts[0].variables[0].requird"]
    assert "unknown field" in errors["path[0].days[0].steps[0].prompts"]


def test_slugs_must_be_valid():
    assert_error(lambda d: d.update(slug="Finance analyst!"), "slug", "not a valid slug")
    assert_error(
        lambda d: d["prompts"][0].update(slug="a b"), "prompts[0].slug", "not a valid slug"
    )


def test_prompt_slugs_are_unique():
    assert_error(
        lambda d: d["prompts"].append(copy.deepcopy(d["prompts"][0])),
        "prompts[1].slug",
        'duplicate prompt slug "variance"',
    )


def test_demo_slugs_are_unique():
    assert_error(
        lambda d: d["demos"].append(copy.deepcopy(d["demos"][0])),
        "demos[1].slug",
        'duplicate demo slug "variance-demo"',
    )


def test_every_body_variable_is_declared():
    assert_error(
        lambda d: d["prompts"][0].update(body="{{period}} {{table}} {{  region }}"),
        "prompts[0].body",
        '"{{region}}" is used in the body but not declared',
    )


def test_every_declared_variable_is_used():
    assert_error(
        lambda d: d["prompts"][0].update(body="{{period}} only"),
        "prompts[0].variables[1].name",
        'variable "table" is declared but not used in the body',
    )


def test_variable_names_are_identifiers_and_unique():
    assert_error(
        lambda d: d["prompts"][0]["variables"][0].update(name="1period"),
        "prompts[0].variables[0].name",
        "not a valid variable name",
    )
    assert_error(
        lambda d: d["prompts"][0]["variables"].append({"name": "period", "description": "again"}),
        "prompts[0].variables[2].name",
        'duplicate variable "period"',
    )


def test_variable_required_is_a_bool():
    assert_error(
        lambda d: d["prompts"][0]["variables"][0].update(required="yes"),
        "prompts[0].variables[0].required",
        "true or false",
    )


def test_step_kinds_come_from_the_list():
    assert_error(
        lambda d: d["path"][0]["days"][0]["steps"][0].update(kind="watch"),
        "path[0].days[0].steps[0].kind",
        '"watch" is not one of: watch_demo, try_prompt, fvm_task, reflect, read',
    )


def test_watch_demo_needs_a_demo_and_try_prompt_a_prompt():
    def change(d):
        del d["path"][0]["days"][0]["steps"][0]["demo"]
        del d["path"][0]["days"][0]["steps"][1]["prompt"]

    errors = dict(with_change(change))
    assert 'needs "demo"' in errors["path[0].days[0].steps[0]"]
    assert 'needs "prompt"' in errors["path[0].days[0].steps[1]"]


def test_referenced_slugs_must_exist():
    def change(d):
        d["path"][0]["days"][0]["steps"][0]["demo"] = "nope"
        d["path"][0]["days"][0]["steps"][1]["prompt"] = "missing"

    errors = dict(with_change(change))
    assert errors["path[0].days[0].steps[0].demo"] == 'no demo with slug "nope"'
    assert errors["path[0].days[0].steps[1].prompt"] == 'no prompt with slug "missing"'


@pytest.mark.parametrize("day", [0, 8])
def test_days_are_1_to_7(day):
    assert_error(
        lambda d: d["path"][0]["days"][0].update(day=day),
        "path[0].days[0].day",
        "between 1 and 7",
    )


def test_a_day_appears_once_per_track():
    assert_error(
        lambda d: d["path"][0]["days"][1].update(day=1),
        "path[0].days[1].day",
        'duplicate day "1"',
    )


def test_the_prescriptive_track_is_required():
    assert_error(
        lambda d: d["path"][0].update(track="exploratory"),
        "path",
        "the prescriptive track is required",
    )


def test_tracks_are_not_duplicated():
    assert_error(
        lambda d: d["path"].append(copy.deepcopy(d["path"][0])),
        "path[1].track",
        'duplicate track "prescriptive"',
    )


def test_each_track_has_exactly_one_fvm_task():
    def none(d):
        d["path"][0]["days"][1]["steps"][0] = {"kind": "reflect", "title": "Reflect"}

    assert_error(none, "path[0].days", "needs exactly one fvm_task step, found none")

    def two(d):
        d["path"][0]["days"][0]["steps"].append({"kind": "fvm_task", "title": "Again"})

    assert_error(two, "path[0].days[1].steps[0]", "found another")


def test_an_exploratory_track_needs_its_own_fvm_task():
    def change(d):
        d["path"].append(
            {"track": "exploratory", "days": [{"day": 1, "steps": [{"kind": "read", "body": "x"}]}]}
        )

    assert_error(change, "path[1].days", "the exploratory track needs exactly one fvm_task")


def test_days_and_steps_are_not_empty():
    assert_error(
        lambda d: d["path"][0]["days"][0].update(steps=[]),
        "path[0].days[0].steps",
        "at least one step",
    )


def test_demo_after_must_be_below_before():
    assert_error(
        lambda d: d["demos"][0].update(after_minutes=95),
        "demos[0].after_minutes",
        "must be less than before minutes (90)",
    )


def test_demo_video_url_must_be_a_url():
    assert_error(
        lambda d: d["demos"][0].update(video_url="javascript:alert(1)"),
        "demos[0].video_url",
        "must be a URL",
    )


def test_interventions_are_unique_by_day_and_kind():
    assert_error(
        lambda d: d["interventions"].append(copy.deepcopy(d["interventions"][0])),
        "interventions[2]",
        "duplicate intervention: day 5 manager_nudge",
    )


def test_intervention_days_and_kinds_are_checked():
    assert_error(
        lambda d: d["interventions"][0].update(day=9), "interventions[0].day", "between 1 and 7"
    )
    assert_error(
        lambda d: d["interventions"][0].update(kind="nudge"),
        "interventions[0].kind",
        "is not one of",
    )


def test_message_placeholders_are_limited():
    assert_error(
        lambda d: d["interventions"][0].update(message="Hi {{name}} from {{ company }}"),
        "interventions[0].message",
        'unknown placeholder "{{company}}"',
    )


@pytest.mark.parametrize("url", [None, "http://hooks.example.com/x"])
def test_slack_and_teams_need_an_https_webhook(url):
    def change(d):
        d["interventions"][1]["channel"] = "teams"
        if url is None:
            del d["interventions"][1]["webhook_url"]
        else:
            d["interventions"][1]["webhook_url"] = url

    errors = with_change(change)
    assert any("https" in m for _, m in errors), errors


def test_email_takes_no_webhook():
    assert_error(
        lambda d: d["interventions"][0].update(webhook_url="https://x.example.com"),
        "interventions[0].webhook_url",
        "only used by slack and teams",
    )


def test_at_least_one_kpi():
    assert_error(lambda d: d.update(kpis=[]), "kpis", "at least one KPI")


def test_kpi_targets_follow_the_direction():
    assert_error(
        lambda d: d["kpis"][0].update(target=100),
        "kpis[0].target",
        "direction is down (lower is better)",
    )
    assert_error(
        lambda d: d["kpis"][0].update(direction="up"),
        "kpis[0].target",
        "direction is up (higher is better)",
    )


def test_kpi_numbers_are_numbers_with_at_most_4_decimals():
    assert_error(lambda d: d["kpis"][0].update(baseline="90"), "kpis[0].baseline", "a number")
    assert_error(lambda d: d["kpis"][0].update(target=0.00001), "kpis[0].target", "4 decimal")


def test_kpi_names_are_unique():
    assert_error(
        lambda d: d["kpis"].append(dict(d["kpis"][0])), "kpis[1].name", 'duplicate KPI name "Time"'
    )


def test_terminology_is_term_to_text():
    assert_error(
        lambda d: d["context"].update(terminology={"FY": 2026}),
        "context.terminology.FY",
        "meaning must be a non-empty string",
    )


def test_the_document_must_be_a_mapping():
    assert errors_of(["x"]) == [("", "must be a mapping (a role pack)")]


def test_it_reports_every_error_at_once_with_lines():
    document = valid_document()
    document["fvm"]["target_minutes"] = 100
    document["prompts"][0]["body"] = "{{period}}"
    document["kpis"][0]["direction"] = "sideways"
    lines = {"": 1, "fvm": 5, "fvm.target_minutes": 8, "prompts": 20, "prompts[0]": 21}
    errors = validate_document(document, source="pack.yaml", lines=lines)
    rendered = [str(e) for e in errors]
    assert (
        "pack.yaml:8: fvm.target_minutes: target minutes (100) must be less than"
        in (
            rendered[0][
                : len("pack.yaml:8: fvm.target_minutes: target minutes (100) must be less than")
            ]
        )
    )
    # prompts[0].variables[1].name has no line of its own: the nearest parent's line is used.
    assert any(
        r.startswith("pack.yaml:21: prompts[0].variables[1].name: variable") for r in rendered
    )
    assert any(r.startswith("pack.yaml:1: kpis[0].direction:") for r in rendered)
    assert len(errors) == 3


def test_pack_errors_render_as_file_line_path_message():
    error = PackError("examples/rolepacks/finance.yaml", 42, "prompts[2].name", "bad")
    assert str(error) == "examples/rolepacks/finance.yaml:42: prompts[2].name: bad"
    assert str(PackError("<api>", None, "", "bad")) == "<api>: (pack): bad"


def test_raise_for_errors_carries_every_error():
    document = valid_document()
    del document["slug"]
    del document["name"]
    with pytest.raises(PackValidationError) as caught:
        raise_for_errors(document)
    assert [e.path for e in caught.value.errors] == ["slug", "name"]
