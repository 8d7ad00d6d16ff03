"""The studio in Chromium: an author creates a pack from nothing, sees a validation error at
the field, previews the employee's day 1 and the agent, publishes (with an edit not yet
saved), enrolls two people from a CSV and sees them on the pack's page. Screenshots at
desktop and phone width; axe finds no serious or critical violation on any studio page."""

import pytest
from playwright.sync_api import expect

from onboarding.models import Enrollment
from roles.models import RolePackVersion
from tests.browser import assert_accessible, open_page, screenshot
from tests.factories import enablement_user

SLUG = "hr-partner"
CSV = (
    "email,name,role,track,manager_email,buddy_email,start_date,timezone\n"
    f"ann@example.com,Ann Able,{SLUG},,max@example.com,,2026-12-07,\n"
    f"bob@example.com,Bob Baker,{SLUG},,max@example.com,,2026-12-07,\n"
)


def _field(page, name):
    return page.locator(f'[name="{name}"]')


def _add(page, list_path):
    page.locator(f'button[name="_add"][value="{list_path}"]').click()
    page.wait_for_load_state()


def _save(page):
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Saved the draft")).to_be_visible()


def _tab(page, name):
    page.get_by_role("navigation", name="Pack").get_by_role("link", name=name, exact=True).click()


def _checked(page, name):
    assert_accessible(page)
    screenshot(page, f"studio-{name}")


def _create_pack(page):
    page.goto("/studio/")
    page.get_by_role("link", name="New pack").click()
    _field(page, "slug").fill(SLUG)
    _field(page, "name").fill("HR business partner")
    _field(page, "fvm.deliverable").fill("answered a policy question with a cited summary")
    _field(page, "fvm.baseline_minutes").fill("60")
    _field(page, "fvm.target_minutes").fill("15")
    _field(page, "fvm.evidence").fill("the summary sent to the employee")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", name="Context")).to_be_visible()
    _field(page, "context.audience").fill("employees asking about HR policy")
    _field(page, "context.output_format").fill("a short answer with the policy cited")
    _field(page, "context.terminology[0].term").fill("PTO")
    _field(page, "context.terminology[0].meaning").fill("paid time off")
    _save(page)


def _write_prompt_and_demo(page):
    _tab(page, "Prompts")
    _add(page, "prompts")
    _field(page, "prompts[0].slug").fill("policy-answer")
    _field(page, "prompts[0].title").fill("Answer a policy question")
    _field(page, "prompts[0].body").fill("Answer this question using our {{policy}} policy.")
    # The variable is picked up from the body as the author types.
    expect(_field(page, "prompts[0].variables[0].name")).to_have_value("policy")
    _field(page, "prompts[0].variables[0].description").fill("the policy's name")
    _checked(page, "prompts")
    _save(page)
    _tab(page, "Demos")
    _add(page, "demos")
    _field(page, "demos[0].slug").fill("policy-demo")
    _field(page, "demos[0].title").fill("A policy answer in 15 minutes")
    _field(page, "demos[0].deliverable").fill("the parental leave answer")
    _field(page, "demos[0].before_minutes").fill("60")
    _field(page, "demos[0].after_minutes").fill("15")
    _field(page, "demos[0].steps").fill("1. Paste the question.\n2. Check the citation.")
    _save(page)


def _write_path(page):
    _tab(page, "Path")
    steps = "path[0].days[0].steps"
    _add(page, steps)
    _field(page, f"{steps}[0].kind").select_option("watch_demo")
    _field(page, f"{steps}[0].title").fill("Watch the policy demo")
    # Chosen from the pack's own demos and prompts, never typed.
    _field(page, f"{steps}[0].demo").select_option(label="A policy answer in 15 minutes")
    _add(page, steps)
    _field(page, f"{steps}[1].kind").select_option("try_prompt")
    _field(page, f"{steps}[1].title").fill("Try the policy prompt")
    _field(page, f"{steps}[1].prompt").select_option(label="Answer a policy question")
    _add(page, "path[0].days[2].steps")
    _field(page, "path[0].days[2].steps[0].kind").select_option("fvm_task")
    _field(page, "path[0].days[2].steps[0].title").fill("Answer a real policy question with AI")
    _field(page, "path[0].days[2].steps[0].prompt").select_option("policy-answer")
    _checked(page, "path")
    _save(page)


def _write_interventions_and_kpis(page):
    _tab(page, "Interventions")
    _add(page, "interventions")
    _field(page, "interventions[0].day").fill("5")
    _field(page, "interventions[0].kind").select_option("manager_nudge")
    _field(page, "interventions[0].channel").select_option("email")
    _field(page, "interventions[0].message").fill(
        "Hi {{manager_name}}, {{name}} has not reached first value yet: {{one_task}}."
    )
    _save(page)
    _tab(page, "KPIs")
    for i, (name, baseline, target) in enumerate(
        [("Answer time", "60", "15"), ("Tickets reopened", "20", "10"), ("Escalations", "12", "6")]
    ):
        _add(page, "kpis")
        _field(page, f"kpis[{i}].name").fill(name)
        _field(page, f"kpis[{i}].unit").fill("minutes" if i == 0 else "per week")
        _field(page, f"kpis[{i}].baseline").fill(baseline)
        _field(page, f"kpis[{i}].target").fill(target)
        _field(page, f"kpis[{i}].direction").select_option("down")
    _save(page)


def _see_an_error_at_the_field(page):
    _tab(page, "Role and first value")
    _field(page, "fvm.target_minutes").fill("90")
    error = page.locator("#f-fvm-target-minutes-error")
    expect(error).to_have_text(
        "target minutes (90) must be less than baseline minutes (60): "
        "with AI the deliverable must take less time"
    )
    expect(_field(page, "fvm.target_minutes")).to_have_attribute("aria-invalid", "true")
    _checked(page, "error-at-field")
    _field(page, "fvm.target_minutes").fill("15")
    expect(error).to_have_text("")
    expect(page.locator("#fvm-sentence")).to_have_text(
        "An HR business partner has reached first value when they have answered a policy "
        "question with a cited summary in 15 minutes instead of 60."
    )


def _preview(page):
    _tab(page, "Preview")
    # Day 1 as /my/ renders it: the step leads the page ("What to do now") and has its card.
    expect(page.get_by_text("What to do now")).to_be_visible()
    expect(page.get_by_role("heading", name="Watch the policy demo")).to_be_visible()
    expect(page.get_by_text("Preview", exact=True).first).to_be_visible()
    _checked(page, "preview-day1")
    page.get_by_role("link", name="AI tools").click()
    expect(page.locator("#instructions-count")).to_contain_text("of 8000 characters")
    expect(page.locator("#starters-count")).to_contain_text("1 of 12")
    _checked(page, "preview-agent")


def _publish_with_an_unsaved_edit(page):
    _tab(page, "Role and first value")
    _field(page, "name").fill("HR partner")
    page.get_by_role("button", name="Save and publish…").first.click()
    expect(page.get_by_role("heading", name="Publish")).to_be_visible()
    expect(page.locator("pre.diff")).to_contain_text("name: HR partner")
    _checked(page, "publish")
    page.get_by_role("button", name="Publish v1 as shown").click()
    expect(page.get_by_text("Published v1.")).to_be_visible()
    published = RolePackVersion.objects.get(pack__slug=SLUG, number=1)
    assert published.is_published and published.name == "HR partner"


def _enroll(page, tmp_path):
    _tab(page, "Enroll")
    people = tmp_path / "people.csv"
    people.write_text(CSV)
    page.locator("#enroll-file").set_input_files(str(people))
    page.get_by_role("button", name="Check every row").click()
    expect(page.get_by_role("heading", name="2 rows, ready")).to_be_visible()
    _checked(page, "enroll-preview")
    page.get_by_role("button", name="Enroll 2 people").click()
    expect(page.get_by_text("Enrolled 2: 2 new, 0 updated.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ann Able")).to_be_visible()
    expect(page.get_by_role("cell", name="Bob Baker")).to_be_visible()
    assert Enrollment.objects.filter(version__pack__slug=SLUG).count() == 2
    _checked(page, "pack")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_author_creates_previews_publishes_and_enrolls(live_server, chromium, tmp_path):
    author = enablement_user(username="author@example.com", email="author@example.com")
    page = open_page(chromium, live_server, user=author)
    page.on("dialog", lambda dialog: dialog.accept())
    _create_pack(page)
    _write_prompt_and_demo(page)
    _write_path(page)
    _write_interventions_and_kpis(page)
    _see_an_error_at_the_field(page)
    _preview(page)
    _publish_with_an_unsaved_edit(page)
    _enroll(page, tmp_path)
    page.goto("/studio/")
    _checked(page, "index")
    page.context.close()

    phone = open_page(chromium, live_server, user=author, viewport="phone")
    for name, url in [
        ("index", "/studio/"),
        ("pack", f"/studio/{SLUG}/"),
        ("prompts", f"/studio/{SLUG}/edit/prompts/"),
        ("path", f"/studio/{SLUG}/edit/path/"),
        ("preview-day1", f"/studio/{SLUG}/preview/?day=1"),
        ("preview-agent", f"/studio/{SLUG}/preview/agent/"),
        ("versions", f"/studio/{SLUG}/versions/"),
        ("source", f"/studio/{SLUG}/source/"),
    ]:
        phone.goto(url)
        _checked(phone, name)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a phone"
