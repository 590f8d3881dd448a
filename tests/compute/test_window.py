"""A window's metrics, and a detailed window reduced to a comparison window."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import polars as pl
import pytest

from reportgen.compute.frame import prepare
from reportgen.compute.window import as_comparison, metrics_of_prepared
from reportgen.config import Settings

from .jobs_frames import T0, job, jobs_frame

END = T0 + timedelta(days=1)


def _prepared() -> pl.DataFrame:
    rows = [
        job(f"j{i}", "failed" if i % 4 == 0 else "completed",
            "github_actions" if i % 2 else "inngest", created=i, started=i + 0.25 * i,
            completed=i + 1 + 0.5 * i, repository_id="r1",
            error="Not Found" if i % 4 == 0 else None)
        for i in range(25)
    ]  # fmt: skip
    return prepare(jobs_frame(*rows), T0, END)


def test_as_comparison_equals_the_comparison_metrics_computed_anew() -> None:
    settings = Settings()
    detailed = metrics_of_prepared(_prepared(), T0, END, settings)
    comparison = metrics_of_prepared(_prepared(), T0, END, settings, detailed=False)
    assert detailed != comparison
    assert as_comparison(detailed, T0, END) == comparison


def test_as_comparison_takes_the_spelling_of_the_span_asked() -> None:
    plus_two = timezone(timedelta(hours=2))
    detailed = metrics_of_prepared(
        _prepared(), T0.astimezone(plus_two), END.astimezone(plus_two), Settings()
    )
    reduced = as_comparison(detailed, T0, END)
    assert (reduced.start.tzinfo, reduced.end.tzinfo) == (UTC, UTC)
    assert reduced.processors["inngest"].processing_time_ms.count == 0


def test_as_comparison_refuses_another_span() -> None:
    detailed = metrics_of_prepared(_prepared(), T0, END, Settings())
    with pytest.raises(ValueError, match="is not the comparison window"):
        as_comparison(detailed, T0, END - timedelta(hours=1))
