"""The checklist's batched path selection agrees with path_steps_for."""

import pytest

from onboarding.selectors.enrollments import path_steps, path_steps_for
from roles.models import PathStep, Track
from tests.factories import make_pack


@pytest.mark.parametrize("drop", [None, Track.EXPLORATORY, Track.PRESCRIPTIVE])
@pytest.mark.parametrize("track", Track.values)
def test_it_picks_the_same_steps_as_the_path_service(db, drop, track):
    version = make_pack()
    if drop:
        PathStep.objects.filter(version=version, track=drop).delete()
    loaded = list(PathStep.objects.filter(version=version))
    assert [s.id for s in path_steps(loaded, track)] == [
        s.id for s in path_steps_for(version, track)
    ]
