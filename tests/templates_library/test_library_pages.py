"""The prompt library pages: who sees what, search, filled prompts, the demo chart."""

import datetime as dt
import re

import pytest
from django.db import connection

from onboarding.models import Enrollment
from roles.models import Prompt
from tests.factories import UserFactory, make_pack

pytestmark = pytest.mark.django_db

PAGES = [
    "/library/",
    "/library/finance-analyst/",
    "/library/finance-analyst/prompts/prompt-1/",
    "/library/finance-analyst/demos/variance-demo/",
]


def _enroll(user, version, **values):
    return Enrollment.objects.create(
        user=user, version=version, start_date=dt.date(2026, 11, 2), values=values
    )


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    make_pack()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_published_roles_with_the_viewers_own_role_first(
    client, django_assert_max_num_queries
):
    make_pack("finance-analyst")
    sales = make_pack("sales-rep", name="Sales rep")
    make_pack("draft-only", name="Draft only", published=False)
    user = UserFactory()
    _enroll(user, sales)
    client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get("/library/")
    html = response.content.decode()
    assert html.index("Sales rep") < html.index("Finance analyst")
    assert "your role" in html
    assert "Draft only" not in html
    assert "2 prompts" in html


def test_it_keeps_the_page_queries_bounded_as_roles_grow(client, django_assert_max_num_queries):
    for i in range(8):
        make_pack(f"role-{i}", name=f"Role {i}", prompts=5)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(8):
        assert client.get("/library/").status_code == 200


def test_it_lists_a_roles_prompts_and_demos(client, django_assert_max_num_queries):
    make_pack(prompts=6)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(10):
        response = client.get("/library/finance-analyst/")
    html = response.content.decode()
    for i in range(1, 7):
        assert f"/library/finance-analyst/prompts/prompt-{i}/" in html
    assert "/library/finance-analyst/demos/variance-demo/" in html
    assert "Variables: period, table" in html


def test_it_filters_prompts_by_tag(client):
    make_pack(prompts=3)
    client.force_login(UserFactory())
    html = client.get("/library/finance-analyst/?tag=fvm").content.decode()
    assert "prompts/prompt-1/" in html
    assert "prompts/prompt-2/" not in html and "prompts/prompt-3/" not in html


def test_it_searches_titles_and_bodies(client, django_assert_max_num_queries):
    version = make_pack(prompts=3)
    Prompt.objects.filter(version=version, slug="prompt-2").update(title="Forecast bridge")
    Prompt.objects.filter(version=version, slug="prompt-3").update(
        body="Draft the board memo on the forecast."
    )
    client.force_login(UserFactory())
    with django_assert_max_num_queries(10):
        html = client.get("/library/finance-analyst/?q=forecast").content.decode()
    assert "prompts/prompt-1/" not in html
    assert "prompts/prompt-2/" in html and "prompts/prompt-3/" in html
    assert "(2 found)" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_it_uses_full_text_search_with_stemming_on_postgresql(client):
    version = make_pack(prompts=2)
    Prompt.objects.filter(version=version, slug="prompt-2").update(
        body="We are forecasting the quarter."
    )
    client.force_login(UserFactory())
    html = client.get("/library/finance-analyst/?q=forecasts").content.decode()
    assert "prompts/prompt-2/" in html and "prompts/prompt-1/" not in html


def test_it_answers_404_for_unknown_or_unpublished_roles_prompts_and_demos(client):
    make_pack()
    make_pack("draft-only", published=False)
    client.force_login(UserFactory())
    for url in (
        "/library/nope/",
        "/library/draft-only/",
        "/library/finance-analyst/prompts/nope/",
        "/library/finance-analyst/demos/nope/",
    ):
        assert client.get(url).status_code == 404, url


def test_it_fills_the_prompt_with_the_viewers_values_and_names_what_is_missing(
    client, django_assert_max_num_queries
):
    version = make_pack()
    Prompt.objects.filter(version=version, slug="prompt-1").update(
        body="For {{audience}}: explain {{period}} in {{unit}}.\n\n{{table}}"
    )
    user = UserFactory()
    _enroll(user, version, unit="EUR thousands")
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get("/library/finance-analyst/prompts/prompt-1/")
    html = response.content.decode()
    assert "fill in: period" in html
    assert "Before you use it, fill in: <strong>period</strong>." in html
    assert (
        "For CFO and finance leadership: explain {{period}} in EUR thousands.\n\n(table)</textarea>"
        in html
    )
    assert 'id="copy-button"' in html and "navigator.clipboard" in html
    assert "<noscript>" in html


def test_it_escapes_a_viewers_malicious_values(client):
    version = make_pack()
    user = UserFactory()
    _enroll(user, version, period="<script>alert(1)</script><img src=x onerror=alert(1)>")
    client.force_login(user)
    html = client.get("/library/finance-analyst/prompts/prompt-1/").content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_shows_an_enrolled_viewer_the_version_they_started_with(client):
    first = make_pack(prompts=3)
    make_pack(pack=first.pack, number=2, prompts=1)
    user = UserFactory()
    _enroll(user, first)
    client.force_login(user)
    assert client.get("/library/finance-analyst/prompts/prompt-3/").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/library/finance-analyst/prompts/prompt-3/").status_code == 404


def test_it_draws_the_demo_minutes_as_an_accessible_chart(client, django_assert_max_num_queries):
    make_pack()
    client.force_login(UserFactory())
    with django_assert_max_num_queries(8):
        html = client.get("/library/finance-analyst/demos/variance-demo/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert 'aria-labelledby="fv-chart-title fv-chart-desc"' in html
    assert '<title id="fv-chart-title">Variance commentary in 10 minutes: minutes before' in html
    assert "Before AI: 90 minutes. With AI: 10 minutes. Saved: 80 minutes." in html
    assert ">Before AI</text>" in html and ">90 min</text>" in html and ">10 min</text>" in html
    assert 'fill="url(#fv-hatch)"' in html  # a pattern, not colour alone
    assert "<ol>" in html  # the steps, rendered Markdown


def test_it_escapes_demo_titles_in_the_chart(client):
    version = make_pack()
    version.demos.update(title="</title><script>alert(1)</script>")
    client.force_login(UserFactory())
    html = client.get("/library/finance-analyst/demos/variance-demo/").content.decode()
    assert "<script>alert(1)" not in html


def test_it_lets_the_copy_script_and_styles_run_under_the_content_security_policy(client):
    make_pack()
    client.force_login(UserFactory())
    response = client.get("/library/finance-analyst/prompts/prompt-1/")
    policy = response.get("Content-Security-Policy", "")
    nonces = re.findall(r"'nonce-([^']+)'", policy)
    html = response.content.decode()
    assert nonces, policy
    assert f'<script nonce="{nonces[0]}">' in html
    assert f'<style nonce="{nonces[0]}">' in html
    demo = client.get("/library/finance-analyst/demos/variance-demo/").content.decode()
    assert " style=" not in demo.split("<svg", 1)[1].split("</svg>", 1)[0]
