"""The FVM sentence rule (roles/sentences.py): acronyms kept, a/an by sound, fvm.subject."""

from pathlib import Path

import pytest
from django.conf import settings

from roles.sentences import article_for, fvm_sentence, fvm_subject

# (role, subject, expected start of the sentence)
CASES = [
    ("HR business partner", "", "An HR business partner"),
    ("IT admin", "", "An IT admin"),
    ("UX researcher", "", "A UX researcher"),
    ("Finance analyst", "", "A finance analyst"),
    ("Operations manager", "", "An operations manager"),
    ("SEO specialist", "", "An SEO specialist"),
    ("CFO office analyst", "", "A CFO office analyst"),
    ("User researcher", "", "A user researcher"),
    ("Unit lead", "", "A unit lead"),
    ("European sales lead", "a European sales lead", "A European sales lead"),
    ("Hourly planner", "", "An hourly planner"),
    ("DevOps engineer", "", "A DevOps engineer"),
    ("iOS developer", "", "An iOS developer"),
    ("Sales (EMEA) lead", "", "A sales (EMEA) lead"),
    ("A/B test analyst", "", "An A/B test analyst"),
    ("HR business partner", "an HR business partner", "An HR business partner"),
    ("Finance analyst (EU)", "a finance analyst in the EU", "A finance analyst in the EU"),
    ("NATO liaison", "a NATO liaison", "A NATO liaison"),
]


@pytest.mark.parametrize(("role", "subject", "expected"), CASES)
def test_the_subject_keeps_acronyms_and_takes_its_article_by_sound(role, subject, expected):
    assert fvm_subject(role=role, subject=subject) == expected


def test_the_sentence_reads_from_the_subject_to_the_minutes():
    assert fvm_sentence(
        role="HR business partner", deliverable="a job description", target=15, baseline=60
    ) == (
        "An HR business partner has reached first value when they have a job description "
        "in 15 minutes instead of 60."
    )


@pytest.mark.parametrize(("phrase", "article"), [("", "a"), ("  IT admin", "an"), ("X-ray", "an")])
def test_article_edge_cases(phrase, article):
    assert article_for(phrase) == article


def test_the_admins_live_preview_follows_the_same_rule(chromium):
    """roles/static/roles/fvm_preview.js mirrors roles/sentences.py: the same names, the
    same sentences, in Chromium."""
    script = (Path(settings.BASE_DIR) / "roles/static/roles/fvm_preview.js").read_text()
    page = chromium.new_page()
    fields = "".join(
        f'<input id="{name}">'
        for name in (
            "id_name",
            "id_fvm_subject",
            "id_fvm_deliverable",
            "id_fvm_target_minutes",
            "id_fvm_baseline_minutes",
        )
    )
    page.set_content(f"<main>{fields}</main>")
    page.add_script_tag(content=script)
    for role, subject, _ in CASES:
        page.fill("#id_name", role)
        page.fill("#id_fvm_subject", subject)
        page.fill("#id_fvm_deliverable", "x")
        page.fill("#id_fvm_target_minutes", "1")
        page.fill("#id_fvm_baseline_minutes", "2")
        expected = fvm_sentence(role=role, subject=subject, deliverable="x", target=1, baseline=2)
        assert page.evaluate("window.firstvalueFvmSentence()") == expected, role
