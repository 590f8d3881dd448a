"""The job-by-job sequences the rules read."""

from __future__ import annotations

import polars as pl

from reportgen.compute.outcomes import OVERALL, outcome_sequences, sequences

from .jobs_frames import job, jobs_frame


def _sequences(*rows: dict[str, object]) -> dict[str, list[bool]]:
    frame = jobs_frame(*rows)
    return {name: s.to_list() for name, s in outcome_sequences(frame).items()}


def test_sequences_follow_creation_then_id_whatever_the_row_order() -> None:
    rows = [
        job("b", "failed", created=1),
        job("c", "completed", "github_actions", created=0),
        job("a", "completed", created=1),
        job("d", "pending", created=0.5),
    ]
    assert _sequences(*rows) == {
        OVERALL: [False, False, True],
        "github_actions": [False],
        "inngest": [False, True],
    }


def test_sequences_of_finished_jobs_in_order_split_by_processor() -> None:
    finished = pl.DataFrame(
        {
            "processor_type": ["inngest", "github_actions", "inngest", None],
            "failed": [False, True, True, False],
        }
    )
    assert {name: s.to_list() for name, s in sequences(finished).items()} == {
        OVERALL: [False, True, True, False],
        "inngest": [False, True],
        "github_actions": [True],
        "None": [False],
    }
