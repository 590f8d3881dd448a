"""What the rules' tests read job by job, beyond the window's summaries.

The error-rate CUSUM reads the finished jobs one by one in the order they were created (ties
by id), so the same jobs always give the same verdict; `True` is a failed job. The p95 trend
counts how many completed jobs took longer than the previous window's p95.

A window summed from rollups reads these from the store as they are needed here
(`Store.finished_in_order`, `Store.processing_times`): two narrow columns sorted by DuckDB,
and one of durations, instead of the window's rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

OVERALL = "overall"
# Status as `prepare`'s Enum or as the store's strings alike: casting an Enum to strings to
# compare it would cost more than the rest of the sequences.
_FINISHED = pl.col("status").is_in(["completed", "failed"])
_FAILED = pl.col("status") == "failed"


def outcome_sequences(prepared: pl.DataFrame) -> Mapping[str, pl.Series]:
    """Failed-or-not of every finished job of `prepared` (a window's rows, with their ids),
    overall and per processor, in creation order."""
    finished = (
        prepared.lazy()
        .filter(_FINISHED)
        .select("processor_type", _FAILED.alias("failed"), "created_at", "id")
        .collect()
    )
    if not _in_creation_order(finished):
        finished = finished.sort("created_at", "id")
    return sequences(finished)


def sequences(finished: pl.DataFrame) -> Mapping[str, pl.Series]:
    """The sequences of finished jobs already in creation order (`processor_type`, `failed`):
    all of them, and each processor's."""
    result = {OVERALL: finished["failed"]}
    # One filter per processor (a handful) costs half of iterating a group_by's groups.
    for processor in finished.get_column("processor_type").unique(maintain_order=True):
        kind = pl.col("processor_type")
        match = kind.is_null() if processor is None else kind == processor
        result[str(processor)] = finished.filter(match).get_column("failed")
    return result


def _in_creation_order(frame: pl.DataFrame) -> bool:
    """Whether `frame` is already sorted by (created_at, id), as the store's reads are.

    Checking costs a tenth of sorting a month's jobs again; ids are compared only where jobs
    share a creation time. Polars compares strings bytewise, as its sort does, and
    (created_at, id) is unique, so either way the order is the same.
    """
    if frame.height < 2:
        return True
    created, ids = pl.col("created_at"), pl.col("id")
    # A null (a missing time or id) is not known to be in order: sort.
    rising = (created <= created.shift(-1)).slice(0, frame.height - 1).fill_null(False).all()
    tie = created == created.shift(-1)
    ties_by_id = (ids.filter(tie) < ids.shift(-1).filter(tie)).fill_null(False).all()
    return bool(frame.select(rising & ties_by_id).item())
