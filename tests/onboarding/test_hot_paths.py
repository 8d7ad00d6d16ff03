"""/api/me/ and /my/ do no work per request that depends only on the published version:
its content is read once per process (roles/version_content.py), and the query counts do
not depend on the length of the path."""

import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roles.models import PathStep, Track
from roles.version_content import version_content_by_id, version_contents
from tests.factories import make_pack, make_pack_with_steps

ME, MY = "/api/me/", "/my/"
# Session, user, enrollment (with first value; on /my/ also manager and buddy, and whether
# they lead anyone, may run the rollout and have banners waiting: base.html's navigation and
# the banners ask no query of their own), days and done steps in one query.
ME_QUERIES, MY_QUERIES = 4, 4


@time_machine.travel("2026-12-03 10:00Z", tick=False)
@pytest.mark.parametrize("total", [1, 30])
def test_the_persons_api_and_page_make_the_same_few_queries_at_1_and_30_steps(
    client, login, enroll, django_assert_num_queries, total
):
    enrollment = enroll("ada@example.com", make_pack_with_steps(f"pack-{total}", total))
    login(enrollment.user)
    assert client.get(MY).status_code == 200  # the first visit is recorded once
    with django_assert_num_queries(ME_QUERIES):
        assert client.get(ME).json()["steps_total"] == total
    with django_assert_num_queries(MY_QUERIES):
        page = client.get(MY).content.decode()
    assert f"0 of {total} steps done" in page


def test_a_published_versions_content_is_read_once(db, django_assert_num_queries):
    version = make_pack("once")
    with django_assert_num_queries(5):  # version (+ pack), steps, prompts, variables, demos
        first = version_content_by_id(version.id)
        assert first is not None
    demos = version.demos.count()
    with django_assert_num_queries(0):
        assert version_content_by_id(version.id) is first
        assert version_contents([version])[version.id] is first
    assert len(first.demos) == demos
    assert {s.id for s in first.steps} == set(version.steps.values_list("id", flat=True))


def test_a_draft_is_read_every_time_so_an_edit_shows_at_once(db):
    draft = make_pack("drafty", published=False)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            version_contents([draft])
        assert len(queries) == 4  # steps, prompts, variables, demos: nothing kept
    step = draft.steps.order_by("id").first()
    step.title = "Edited in the draft"
    PathStep.objects.filter(pk=step.pk).update(title=step.title)  # no signal: still read
    titles = [s.title for s in version_contents([draft])[draft.id].steps]
    assert "Edited in the draft" in titles


def test_content_saved_in_place_is_not_served_stale(db):
    version = make_pack("in-place")
    kept = version_content_by_id(version.id)
    step = version.steps.order_by("id").first()
    step.title = "Fixed in place"
    step.save()  # forgets what the process keeps
    again = version_content_by_id(version.id)
    assert again is not kept
    assert "Fixed in place" in [s.title for s in again.steps]


def test_a_reused_id_with_another_publication_is_read_again(db):
    version = make_pack("reused")
    kept = version_contents([version])[version.id]
    other = type(version).objects.get(pk=version.pk)
    other.content_hash = "another"  # as a new version that got the same id would have
    with CaptureQueriesContext(connection) as queries:
        assert version_contents([other])[version.id] is not kept
    assert len(queries) == 4


@time_machine.travel("2026-12-01 10:00Z", tick=False)
def test_a_kept_step_is_shown_sanitised(client, login, enroll):
    version = make_pack("unsafe")
    step = version.steps.filter(day=1, track=Track.PRESCRIPTIVE).order_by("order").first()
    step.body = 'Read this <script>alert("x")</script>[link](javascript:alert(1)) **now**'
    step.save()
    login(enroll("ada@example.com", version).user)
    for _ in range(2):  # the second page is rendered from what the process keeps
        page = client.get(MY).content.decode()
        assert "<strong>now</strong>" in page
        assert "<script>alert" not in page
        assert "javascript:alert" not in page


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@time_machine.travel("2026-12-01 10:00Z", tick=False)
def test_a_kept_page_follows_what_the_person_does_and_who_helps_them(enroll, version):
    client = Client(enforce_csrf_checks=True)
    enrollment = enroll("ada@example.com", version, manager_email="sam@example.com")
    client.force_login(enrollment.user)
    first = client.get(MY).content.decode()
    again = client.get(MY).content.decode()  # made from the kept page
    assert re.sub(r'value="[^"]+"', "", first) == re.sub(r'value="[^"]+"', "", again)
    step = version.steps.filter(day=1, track=Track.PRESCRIPTIVE).order_by("order").first()
    # The kept page carries this request's CSRF token: its form posts.
    done = client.post(f"/my/steps/{step.id}/done/", {"csrfmiddlewaretoken": _csrf(again)})
    assert done.status_code == 302
    page = client.get(MY).content.decode()
    assert f'action="/my/steps/{step.id}/undo/"' in page
    manager = enrollment.manager
    manager.first_name, manager.last_name = "Samira", "Lead"
    manager.save()
    assert "Samira Lead" in client.get(MY).content.decode()
