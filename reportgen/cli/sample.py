"""`reportgen sample`: write a deterministic, realistic set of snapshot files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reportgen.cli import common
from reportgen.cli.app import app
from reportgen.errors import UsageError
from reportgen.sample import spec as defaults
from reportgen.sample.profiles import INCIDENT_HOURS, INCIDENT_START_HOUR

if TYPE_CHECKING:
    from reportgen.sample.writer import SampleSummary


@app.command()
@common.reports_errors
def sample(
    days: Annotated[str, typer.Option(metavar="N", help="Days of data, ending at --end.")] = str(
        defaults.DEFAULT_DAYS
    ),
    jobs_per_day: Annotated[
        str, typer.Option(metavar="N", help="Average jobs per day (weekdays busier).")
    ] = str(defaults.DEFAULT_JOBS_PER_DAY),
    seed: Annotated[
        str, typer.Option(metavar="N", help="Random seed; same arguments give the same bytes.")
    ] = str(defaults.DEFAULT_SEED),
    incident: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Day of an injected inngest network incident, or 'none' "
            "(default: a week before the end).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            metavar="TS",
            help="End of the data, on the hour (default: --as-of, else the fixed sample end).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Directory to replace (default: the configured source)."),
    ] = None,
) -> None:
    """Write a deterministic sample of snapshots: jobs, rollout history, repositories."""
    from reportgen.sample.writer import write_sample  # late: the generator, for this command only

    summary = write_sample(
        out or Path(common.settings().source.path),
        days=_integer(days, "--days"),
        jobs_per_day=_integer(jobs_per_day, "--jobs-per-day"),
        seed=_integer(seed, "--seed"),
        end=_end(end),
        incident=_incident(incident),
    )
    typer.echo(_describe(summary))


def _integer(text: str, flag: str) -> int:
    """Parsed here, not by Typer, so a bad value is our one-line error, not a usage box."""
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a whole number") from None


def _end(text: str | None) -> datetime:
    if text is not None:
        return common.parse_timestamp(text, "--end")
    return common.current_options().as_of or defaults.DEFAULT_END


def _incident(text: str | None) -> defaults.IncidentChoice:
    if text is None:
        return "auto"
    if text.strip().lower() == "none":
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--incident {text!r} is not a date (YYYY-MM-DD) or 'none'") from None


def _describe(summary: SampleSummary) -> str:
    status = summary.status_at_end
    incident = (
        f"{summary.incident.isoformat()} {INCIDENT_START_HOUR:02d}:00 to "
        f"{INCIDENT_START_HOUR + INCIDENT_HOURS:02d}:00 UTC, inngest network failures"
        if summary.incident
        else "none"
    )
    return "\n".join(
        (
            f"Wrote {len(summary.files)} files ({summary.total_bytes:,} bytes) "
            f"to {summary.out_dir}",
            f"  period    {_utc(summary.start)} to {_utc(summary.end)}, "
            f"{summary.snapshots} job snapshots",
            f"  jobs      {summary.jobs:,} in {summary.job_rows:,} rows; at the end "
            f"{status['completed']:,} completed, {status['failed']:,} failed, "
            f"{status['processing']:,} processing, {status['pending']:,} pending",
            f"  incident  {incident}",
            f"  rollout   {summary.rollout_percentage:g}% now; {summary.repositories} "
            f"repositories, {summary.categorised_repositories} categorised",
        )
    )


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")
