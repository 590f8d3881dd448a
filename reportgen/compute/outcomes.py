"""What the rules' tests read job by job, beyond the window's summaries.

The error-rate CUSUM reads the finished jobs one by one in the order they were created (ties
by id), so the same jobs always give the same verdict; `True` is a failed job. The p95 trend
counts how many completed jobs took longer than the previous window's p95.

A window summed from rollups reads its rows for these sequences alone, and without their ids
(a third of what a month's rows cost to read): `in_outcome_order` tells when such rows, in
the order they came, give the very sequences of creation order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import polars as pl

from reportgen.compute.results import WindowMetrics

OVERALL = "overall"
# The job columns the sequences need: what a window read from rollups also reads as rows.
OUTCOME_COLUMNS = ("processor_type", "status", "created_at", "started_at", "completed_at")
# Status as `prepare`'s Enum or as the store's strings alike: casting an Enum to strings to
# compare it would cost more than the rest of the sequences.
_FINISHED = pl.col("status").is_in(["completed", "failed"])
_FAILED = pl.col("status") == "failed"


def outcome_sequences(prepared: pl.DataFrame) -> Mapping[str, pl.Series]:
    """Failed-or-not of every finished job, overall and per processor, in creation order.

    Without an `id` column the rows must already be in an order that settles the sequences
    (`in_outcome_order`): nothing else could put jobs created at the same instant in order.
    """
    ids = ["id"] if "id" in prepared.columns else []
    finished = (
        prepared.lazy()
        .filter(_FINISHED)
        .select("processor_type", _FAILED.alias("failed"), "created_at", *ids)
        .collect()
    )
    if not ids:
        if not _settles_sequences(finished):
            raise ValueError("rows without ids must come in creation order (in_outcome_order)")
    elif not _in_creation_order(finished):
        finished = finished.sort("created_at", "id")
    sequences = {OVERALL: finished["failed"]}
    # One filter per processor (a handful) costs half of iterating a group_by's groups.
    for processor in finished.get_column("processor_type").unique(maintain_order=True):
        kind = pl.col("processor_type")
        match = kind.is_null() if processor is None else kind == processor
        sequences[str(processor)] = finished.filter(match).get_column("failed")
    return sequences


def _in_creation_order(frame: pl.DataFrame) -> bool:
    """Whether `frame` is already sorted by (created_at, id), as the store's reads are.

    Checking costs a tenth of sorting a month's jobs again; ids are compared only where jobs
    share a creation time (the only ids a long window's rows carry, see `ReportLoader`).
    Polars compares strings bytewise, as its sort does, and (created_at, id) is unique, so
    either way the order is the same.
    """
    if frame.height < 2:
        return True
    created, ids = pl.col("created_at"), pl.col("id")
    # A null (a missing time or id) is not known to be in order: sort.
    rising = (created <= created.shift(-1)).slice(0, frame.height - 1).fill_null(False).all()
    tie = created == created.shift(-1)
    ties_by_id = (ids.filter(tie) < ids.shift(-1).filter(tie)).fill_null(False).all()
    return bool(frame.select(rising & ties_by_id).item())


def in_outcome_order(rows: pl.DataFrame) -> bool:
    """Whether `rows` (with status and created_at, ids or not) give the sequences of creation
    order as they come: their finished jobs never go back in time, and those created at the
    same instant all failed or all did not, so their order among themselves (which only
    their ids would settle) changes no sequence."""
    finished = rows.lazy().filter(_FINISHED).select(_FAILED.alias("failed"), "created_at")
    return _settles_sequences(finished.collect())


def _settles_sequences(finished: pl.DataFrame) -> bool:
    """`in_outcome_order` of finished jobs with their `failed` flag."""
    if finished.height < 2:
        return True
    created, failed = pl.col("created_at"), pl.col("failed")
    rising = created <= created.shift(-1)
    tie_differs = (created == created.shift(-1)) & (failed != failed.shift(-1))
    # A null (a missing time) is not known to be in order.
    in_order = rising.slice(0, finished.height - 1).fill_null(False).all()
    return bool(finished.select(in_order & ~tie_differs.fill_null(False).any()).item())


def processing_times(prepared: pl.DataFrame) -> pl.Series:
    """The processing times (ms) of the completed jobs: what a percentile test counts
    against a threshold (in any order, so a month's are not sorted for it)."""
    return prepared.get_column("processing_ms").drop_nulls()


def with_sequences(metrics: WindowMetrics, rows: pl.DataFrame) -> WindowMetrics:
    """Metrics read from the rollups, with the job-by-job sequences the rules' tests read
    taken from the window's rows (`OUTCOME_COLUMNS` suffice, in an order that
    `in_outcome_order` accepts): rollups keep counts, not order."""
    processing = (pl.col("completed_at") - pl.col("started_at")).dt.total_microseconds().cast(
        pl.Float64
    ) / 1000.0
    frame = rows.with_columns(
        pl.when((pl.col("status") == "completed") & (processing >= 0))
        .then(processing)
        .alias("processing_ms")
    )
    return replace(
        metrics, outcomes=outcome_sequences(frame), processing_times=processing_times(frame)
    )
