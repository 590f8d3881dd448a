"""The job-by-job sequences the rules read, and rows without ids in an order that settles them."""

from __future__ import annotations

import pytest

from reportgen.compute.outcomes import (
    OUTCOME_COLUMNS,
    OVERALL,
    in_outcome_order,
    outcome_sequences,
)

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


@pytest.mark.parametrize(
    ("rows", "settled"),
    [
        # Rising creation times: the order is creation order.
        ([job("a", created=0), job("b", "failed", created=1)], True),
        # Out of order.
        ([job("a", created=1), job("b", "failed", created=0)], False),
        # Created at the same instant, same outcome: any order gives the same sequences.
        ([job("b", created=1), job("a", created=1), job("c", "failed", created=2)], True),
        # Same instant, different outcomes: only the ids could order them.
        ([job("b", created=1), job("a", "failed", created=1)], False),
        # An unfinished job is in no sequence, wherever it stands.
        ([job("a", created=1), job("p", "pending", created=0), job("b", created=2)], True),
    ],
)
def test_in_outcome_order(rows: list[dict[str, object]], settled: bool) -> None:
    narrow = jobs_frame(*rows).select(OUTCOME_COLUMNS)
    assert in_outcome_order(narrow) is settled


def test_rows_without_ids_in_settled_order_give_the_sequences_of_rows_with_ids() -> None:
    rows = [job("b", created=1), job("a", created=1), job("c", "failed", "lambda", created=2)]
    narrow = jobs_frame(*rows).select(OUTCOME_COLUMNS)
    with_ids = outcome_sequences(jobs_frame(*rows))
    assert {n: s.to_list() for n, s in outcome_sequences(narrow).items()} == {
        n: s.to_list() for n, s in with_ids.items()
    }


def test_rows_without_ids_out_of_order_are_refused() -> None:
    narrow = jobs_frame(job("b", created=1), job("a", "failed", created=1)).select(OUTCOME_COLUMNS)
    with pytest.raises(ValueError, match=r"^rows without ids must come in creation order"):
        outcome_sequences(narrow)
