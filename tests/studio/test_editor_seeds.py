"""The editor's KPI baseline dates, step minutes and reinforcement days, from outside."""

import pytest
from django.urls import reverse

from roles.canonical import version_to_document
from roles.models import Kpi, PathStep
from tests.studio.conftest import form_fields
from tests.studio.test_editor import _draft, _edit_url, dict_of

pytestmark = pytest.mark.django_db


def _fields(client, section):
    return dict_of(form_fields(client.get(_edit_url(section)).content.decode()))


def test_a_kpi_row_has_a_baseline_date_that_is_saved(author_client, version):
    html = author_client.get(_edit_url("kpis")).content.decode()
    assert 'name="kpis[0].baseline_measured_on" value="" type="date"' in html
    fields = _fields(author_client, "kpis")
    fields["kpis[0].baseline_measured_on"] = ["2026-09-30"]
    assert author_client.post(_edit_url("kpis"), fields).status_code == 302
    kpi = Kpi.objects.get(version=_draft(), order=0)
    assert kpi.baseline_measured_on.isoformat() == "2026-09-30"
    html = author_client.get(_edit_url("kpis")).content.decode()
    assert 'name="kpis[0].baseline_measured_on" value="2026-09-30" type="date"' in html


def test_a_bad_baseline_date_is_shown_at_its_field_and_nothing_is_saved(author_client, version):
    fields = _fields(author_client, "kpis")
    fields["kpis[0].baseline_measured_on"] = ["2026-02-30"]
    response = author_client.post(_edit_url("kpis"), fields)
    assert response.status_code == 400
    assert (
        'id="f-kpis-0-baseline-measured-on-error" data-for="f-kpis-0-baseline-measured-on">'
        "2026-02-30 is not a date in the calendar" in response.content.decode()
    )
    assert not Kpi.objects.filter(version__status="draft").exists()


def test_a_path_step_takes_its_minutes(author_client, version):
    fields = _fields(author_client, "path")
    assert fields["path[0].days[0].steps[0].minutes"] == [""]
    fields["path[0].days[0].steps[0].minutes"] = ["12"]
    assert author_client.post(_edit_url("path"), fields).status_code == 302
    step = _draft().steps.path().get(track="prescriptive", day=1, order=0)
    assert step.minutes == 12
    fields["path[0].days[0].steps[0].minutes"] = ["0"]
    response = author_client.post(_edit_url("path"), fields)
    assert response.status_code == 400
    assert "must be a whole number of minutes from 1 to 480, got 0" in response.content.decode()


def test_reinforcement_edits_day_30_and_90_with_the_packs_prompts_and_demos(author_client, version):
    html = author_client.get(_edit_url("reinforcement")).content.decode()
    assert "Day 30 check-in" in html and "Day 90 check-in" in html
    fields = _fields(author_client, "reinforcement")
    html = author_client.post(
        _edit_url("reinforcement"), {**fields, "_add": "reinforcement[0].steps"}
    ).content.decode()
    assert 'name="reinforcement[0].steps[0].kind"' in html
    assert '<option value="variance-demo">Variance commentary in 10 minutes</option>' in html
    assert '<option value="fvm_task"' not in html  # not a reinforcement kind
    fields = dict_of(form_fields(html))
    fields["reinforcement[0].steps[0].kind"] = ["watch_demo"]
    fields["reinforcement[0].steps[0].demo"] = ["variance-demo"]
    fields["reinforcement[0].steps[0].minutes"] = ["10"]
    assert author_client.post(_edit_url("reinforcement"), fields).status_code == 302
    draft = _draft()
    (step,) = draft.steps.reinforcement()
    assert (step.day, step.track, step.kind, step.demo_slug, step.minutes) == (
        30,
        "",
        PathStep.Kind.WATCH_DEMO,
        "variance-demo",
        10,
    )
    saved = version_to_document(draft)
    assert saved["reinforcement"] == [
        {"day": 30, "steps": [{"kind": "watch_demo", "demo": "variance-demo", "minutes": 10}]}
    ]
    # Saved again unchanged: the same document, day 90 still left out.
    fields = _fields(author_client, "reinforcement")
    assert author_client.post(_edit_url("reinforcement"), fields).status_code == 302
    assert version_to_document(_draft()) == saved


def test_the_yaml_tab_round_trips_the_new_fields(author_client, version):
    url = reverse("studio:source", kwargs={"slug": "finance-analyst"})
    page = author_client.get(url, {"format": "yaml"})
    (text,) = [
        v for k, v in form_fields(page.content.decode(), "data-studio-source") if k == "text"
    ]
    text = text.replace(
        "direction: down\n", "direction: down\n  baseline_measured_on: '2026-09-30'\n", 1
    )
    text += (
        "reinforcement:\n- day: 90\n  steps:\n  - kind: reflect\n    title: What changed?\n"
        "    minutes: 5\n"
    )
    assert author_client.post(f"{url}?format=yaml", {"text": text}).status_code == 302
    document = version_to_document(_draft())
    assert document["reinforcement"] == [
        {"day": 90, "steps": [{"kind": "reflect", "title": "What changed?", "minutes": 5}]}
    ]
    assert document["kpis"][0]["baseline_measured_on"] == "2026-09-30"
    page = author_client.get(url, {"format": "yaml"})
    (again,) = [
        v for k, v in form_fields(page.content.decode(), "data-studio-source") if k == "text"
    ]
    assert "baseline_measured_on: '2026-09-30'" in again and "minutes: 5" in again
    assert author_client.post(f"{url}?format=yaml", {"text": again}).status_code == 302
    assert version_to_document(_draft()) == document
