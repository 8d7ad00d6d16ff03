import re
from datetime import date

import pytest
from django.urls import reverse

from insights.filters import report_filters_build
from insights.funnel import non_activated
from insights.models import UsageActivity
from onboarding.models import InterventionSend
from roles.models import Intervention
from tests.factories import make_pack

from .conftest import complete, enroll, utc

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def populate(version, count: int, prefix: str = "p"):
    for i in range(count):
        person = enroll(
            version,
            f"{prefix}{i}@example.com",
            date(2026, 3, 2 + i % 7),
            manager="boss@example.com",
        )
        if i % 3 == 0:
            complete(person, utc(2026, 3, 12, 9), minutes=20)
        elif i % 3 == 1:
            InterventionSend.objects.create(
                enrollment=person,
                intervention=Intervention.objects.get(version=version, kind="manager_nudge"),
                status="sent",
                due_at=utc(2026, 3, 9, 9),
                sent_at=utc(2026, 3, 9, 9),
            )
            UsageActivity.objects.create(
                user=person.user, date=date(2026, 3, 10), reported_on=date(2026, 3, 12)
            )


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/dashboard/by-role.csv").status_code == 302
    assert client.get("/dashboard/readiness/").status_code == 302


def test_employees_are_refused(client, employee):
    client.force_login(employee)
    assert client.get(URL).status_code == 403
    assert client.get("/dashboard/by-role.csv").status_code == 403
    assert client.get("/dashboard/readiness/").status_code == 403


@pytest.mark.parametrize("who", ["author", "admin_user"])
def test_enablement_and_admins_see_the_charts(client, who, request):
    version = make_pack()
    populate(version, 6)
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL, {"as_of": "2026-03-31"})
    assert response.status_code == 200
    body = response.content.decode()
    for chart in (
        "chart-by-role",
        "chart-by-cohort",
        "chart-ttv",
        "chart-funnel",
        "chart-minutes-saved",
    ):
        assert f'id="{chart}"' in body
    assert '<title id="chart-by-role-title">Day-7 FVM completion by role</title>' in body
    assert 'stroke-dasharray="8 4"' in body and "40% minimum" in body
    assert 'stroke-dasharray="2 3"' in body and "65% top quartile" in body
    assert "Activated but no value (2)" in body
    assert "manager_nudge: sent" in body
    assert "/dashboard/by-role.csv?as_of=2026-03-31" in body


def test_a_bad_filter_is_explained(client, author):
    client.force_login(author)
    response = client.get(URL, {"cohort": "March"})
    assert response.status_code == 400
    assert "cohort: &#x27;March&#x27; is not an ISO week" in response.content.decode()


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, author, django_assert_max_num_queries
):
    version = make_pack()
    populate(version, 3, "a")
    client.force_login(author)
    with django_assert_max_num_queries(45) as small:  # summary, value, readiness, choices
        assert client.get(URL, {"as_of": "2026-03-31"}).status_code == 200
    populate(make_pack("sales-rep"), 12, "b")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL, {"as_of": "2026-03-31"}).status_code == 200


def test_each_chart_downloads_as_csv(client, author):
    version = make_pack()
    populate(version, 4)
    client.force_login(author)
    response = client.get("/dashboard/by-role.csv", {"as_of": "2026-03-31"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "role,enrolled,eligible,in_window,reached_within_7,rate_within_7,n,ci_low,ci_high,"
        "too_few,median_ttv,fvm_total,minutes_saved_total,fvm_rating_mean,sentiment_n,"
        "sentiment_mean,sentiment_positive_share,sentiment_ci_low,sentiment_ci_high"
    )
    assert lines[1].startswith("(all),4,4,0,")
    ttv = client.get("/dashboard/ttv.csv", {"as_of": "2026-03-31"}).content.decode()
    assert ttv.splitlines()[0] == "ttv_working_days,completions"
    assert len(ttv.splitlines()) == 9
    for chart in ("by-cohort", "funnel", "minutes-saved", "interventions", "kpis"):
        assert client.get(f"/dashboard/{chart}.csv").status_code == 200
    assert client.get("/dashboard/nope.csv").status_code == 404


def test_the_readiness_page_lists_five_checks(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/dashboard/readiness/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("✘ Fail") == 5
    assert "measuring activation, not value" in body


def test_it_wraps_every_table_in_a_sideways_scroll_container(client, author):
    populate(make_pack(), 6)
    client.force_login(author)
    body = client.get(URL, {"as_of": "2026-03-31"}).content.decode()
    assert body.count("<table") >= 4
    wrapper = (
        '<div class="table-scroll" tabindex="0" role="region" '
        'aria-label="Table (scrolls sideways on small screens)"><table'
    )
    assert body.count("<table") == body.count(wrapper)  # focusable: keyboards can scroll it


def test_it_says_the_as_of_instant_in_words(client, author):
    client.force_login(author)
    day = client.get(URL, {"as_of": "2026-03-10"}).content.decode()
    assert "As of the end of 10 Mar 2026 (UTC)." in day
    instant = client.get(URL, {"as_of": "2026-03-10T11:05:42.123456Z"}).content.decode()
    assert "As of 10 Mar 2026, 11:05 UTC." in instant
    header = re.search(r'<p class="muted">(As of [^<]*)', instant)[1]
    assert "11:05:42" not in header and "+00:00" not in header


def test_it_gives_day_7_as_the_persons_local_day_and_timezone(client, author):
    person = enroll(make_pack(), "berlin@example.com", date(2026, 3, 2), tz="Europe/Berlin")
    client.force_login(author)
    body = client.get(URL, {"as_of": "2026-03-31"}).content.decode()
    assert person.day7 == date(2026, 3, 10)
    assert "Tue 10 Mar 2026, end of day (Europe/Berlin)" in body


def test_it_caps_the_not_activated_list_in_sql_and_still_counts_everyone():
    populate(make_pack(), 9)
    people, total = non_activated(report_filters_build(as_of="2026-03-31"), limit=2)
    assert total == 6
    assert len(people) == 2
    assert [p.window_ends_at for p in people] == sorted(p.window_ends_at for p in people)


@pytest.mark.parametrize(
    ("who", "sees"), [("author", True), ("admin_user", True), ("employee", False)]
)
def test_it_shows_the_dashboard_link_to_whoever_may_open_the_dashboard(client, who, sees, request):
    client.force_login(request.getfixturevalue(who))
    body = client.get("/library/").content.decode()
    assert ('href="/dashboard/"' in body) is sees
