"""Sample parameters: validation and the automatic incident."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reportgen.errors import UsageError
from reportgen.sample.spec import DEFAULT_END, SampleSpec


def test_build_defaults_to_31_days_with_an_incident_a_week_before_the_end() -> None:
    spec = SampleSpec.build()
    assert (spec.days, spec.jobs_per_day, spec.seed, spec.end) == (31, 160, 4, DEFAULT_END)
    assert spec.incident == date(2026, 11, 18)
    assert spec.incident_ms == int(datetime(2026, 11, 18, 14, tzinfo=UTC).timestamp() * 1000)


def test_build_drops_the_automatic_incident_outside_a_short_period() -> None:
    assert SampleSpec.build(days=3).incident is None


def test_build_treats_a_naive_end_as_utc() -> None:
    assert SampleSpec.build(end=datetime(2026, 1, 1, 6)).end == datetime(2026, 1, 1, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": 0}, "days must be between 1 and 3660, got 0"),
        ({"days": 4000}, "days must be between 1 and 3660, got 4000"),
        ({"jobs_per_day": -5}, "jobs per day must be between 1 and 10000000, got -5"),
        (
            {"end": datetime(2026, 11, 25, 10, 30, tzinfo=UTC)},
            "end 2026-11-25T10:30:00+00:00 is not on the hour; snapshot files are stamped by hour",
        ),
        (
            {"incident": date(2026, 11, 25)},
            "incident 2026-11-25 is outside the sample period 2026-10-25T10:00Z to "
            "2026-11-25T10:00Z (the incident starts at 14:00 UTC)",
        ),
    ],
)
def test_build_refuses_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        SampleSpec.build(**changes)  # type: ignore[arg-type]
    assert str(raised.value) == message
