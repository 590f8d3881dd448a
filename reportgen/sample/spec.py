"""What a sample is generated from: its period, volume, seed and incident, validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from reportgen.errors import UsageError
from reportgen.sample.profiles import DAY, INCIDENT_START_HOUR
from reportgen.sample.timestamps import iso, to_ms

DEFAULT_END = datetime(2026, 11, 25, 10, tzinfo=UTC)
DEFAULT_DAYS = 31
DEFAULT_JOBS_PER_DAY = 160
# Any seed gives realistic data; this one was picked (among 1-11) because its sample shows
# every status progression, including pending -> processing -> completed across three files.
DEFAULT_SEED = 4
# With `incident="auto"` the incident happens a week before the end, when that is in the period.
AUTO_INCIDENT_DAYS_BEFORE_END = 7
MAX_DAYS = 3_660
MAX_JOBS_PER_DAY = 10_000_000

IncidentChoice = date | None | Literal["auto"]


@dataclass(frozen=True)
class SampleSpec:
    """The parameters of one sample; same spec, same bytes."""

    days: int = DEFAULT_DAYS
    jobs_per_day: int = DEFAULT_JOBS_PER_DAY
    seed: int = DEFAULT_SEED
    end: datetime = DEFAULT_END
    incident: date | None = None

    @classmethod
    def build(
        cls,
        *,
        days: int = DEFAULT_DAYS,
        jobs_per_day: int = DEFAULT_JOBS_PER_DAY,
        seed: int = DEFAULT_SEED,
        end: datetime = DEFAULT_END,
        incident: IncidentChoice = "auto",
    ) -> SampleSpec:
        """A validated spec; bad values raise `UsageError` naming the value."""
        _check_range("days", days, 1, MAX_DAYS)
        _check_range("jobs per day", jobs_per_day, 1, MAX_JOBS_PER_DAY)
        end = end if end.tzinfo is not None else end.replace(tzinfo=UTC)
        end = end.astimezone(UTC)
        if end.minute or end.second or end.microsecond:
            raise UsageError(
                f"end {end.isoformat()} is not on the hour; snapshot files are stamped by hour"
            )
        spec = cls(days=days, jobs_per_day=jobs_per_day, seed=seed, end=end)
        if incident == "auto":
            auto = end.date() - timedelta(days=AUTO_INCIDENT_DAYS_BEFORE_END)
            return spec._with_incident(auto) if spec._in_period(auto) else spec
        if incident is not None and not spec._in_period(incident):
            raise UsageError(
                f"incident {incident.isoformat()} is outside the sample period "
                f"{_minutes(spec.start_ms)} to {_minutes(spec.end_ms)} "
                f"(the incident starts at {INCIDENT_START_HOUR:02d}:00 UTC)"
            )
        return spec._with_incident(incident)

    @property
    def end_ms(self) -> int:
        return to_ms(self.end)

    @property
    def start_ms(self) -> int:
        return self.end_ms - self.days * DAY

    @property
    def incident_ms(self) -> int | None:
        """When the incident starts, or None without one."""
        if self.incident is None:
            return None
        return to_ms(datetime.combine(self.incident, time(INCIDENT_START_HOUR), UTC))

    def _in_period(self, day: date) -> bool:
        starts = to_ms(datetime.combine(day, time(INCIDENT_START_HOUR), UTC))
        return self.start_ms <= starts < self.end_ms

    def _with_incident(self, incident: date | None) -> SampleSpec:
        return SampleSpec(self.days, self.jobs_per_day, self.seed, self.end, incident)


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise UsageError(f"{name} must be between {low} and {high}, got {value}")


def _minutes(ms: int) -> str:
    return iso(ms)[:16] + "Z"
