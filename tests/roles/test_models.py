import pytest
from django.db import IntegrityError

from roles.models import RolePackVersion, fvm_sentence
from tests.factories import make_pack

pytestmark = pytest.mark.django_db


def test_it_renders_the_fvm_sentence():
    version = make_pack()
    assert version.fvm_sentence == (
        "A finance analyst has reached first value when they have a variance explanation "
        "for the CFO report in 10 minutes instead of 90."
    )


def test_it_uses_an_before_a_vowel():
    assert fvm_sentence(
        role="Operations manager", deliverable="x", target=1, baseline=2
    ).startswith("An operations manager")


def test_the_database_refuses_a_target_at_or_above_baseline():
    with pytest.raises(IntegrityError):
        make_pack(baseline=10, target=10)


def test_a_pack_has_at_most_one_draft():
    version = make_pack(published=False)
    with pytest.raises(IntegrityError):
        RolePackVersion.objects.create(
            pack=version.pack,
            number=2,
            name="x",
            fvm_deliverable="x",
            fvm_baseline_minutes=2,
            fvm_target_minutes=1,
        )
