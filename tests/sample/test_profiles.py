"""The simulated error messages land in the error category they are meant for."""

from __future__ import annotations

import pytest

from reportgen.sample.generator import make_world
from reportgen.sample.profiles import ERROR_MESSAGES, HOUR_WEIGHTS, WEEKDAY_WEIGHTS
from reportgen.sample.spec import SampleSpec

from .categories import spec_category


@pytest.mark.parametrize("category", sorted(ERROR_MESSAGES))
def test_error_messages_classify_as_their_category(category: str) -> None:
    world = make_world(SampleSpec.build(jobs_per_day=3_000))  # the largest name catalogue
    for template in ERROR_MESSAGES[category]:
        for repository in world.repositories:
            message = template.format(repo=repository.name)
            assert spec_category(message) == category, message


def test_error_messages_include_one_longer_than_the_500_character_cut() -> None:
    longest = max(len(message) for messages in ERROR_MESSAGES.values() for message in messages)
    assert longest > 500


def test_rhythm_weights_average_to_one() -> None:
    assert sum(HOUR_WEIGHTS) / 24 == pytest.approx(1.0)
    assert sum(WEEKDAY_WEIGHTS) / 7 == pytest.approx(1.0)
    busiest = max(range(24), key=HOUR_WEIGHTS.__getitem__)
    quietest = min(range(24), key=HOUR_WEIGHTS.__getitem__)
    assert (busiest, quietest) == (15, 3)
    assert HOUR_WEIGHTS[busiest] / HOUR_WEIGHTS[quietest] == pytest.approx(3.94, abs=0.01)
