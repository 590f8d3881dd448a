"""The finished jobs of a window as a sequence of outcomes, for the sequential error-rate test.

The rules' CUSUM reads jobs one by one in the order they were created (ties by id), so the
same jobs always give the same verdict; `True` is a failed job.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

OVERALL = "overall"


def outcome_sequences(prepared: pl.DataFrame) -> Mapping[str, tuple[bool, ...]]:
    """Failed-or-not of every finished job, overall and per processor, in creation order."""
    finished = (
        prepared.lazy()
        .filter(pl.col("status").cast(pl.String).is_in(["completed", "failed"]))
        .select(
            "processor_type",
            (pl.col("status").cast(pl.String) == "failed").alias("failed"),
            "created_at",
            "id",
        )
        .sort("created_at", "id")
        .collect()
    )
    sequences: dict[str, tuple[bool, ...]] = {OVERALL: tuple(finished["failed"].to_list())}
    for (processor,), group in finished.group_by("processor_type", maintain_order=True):
        sequences[str(processor)] = tuple(group["failed"].to_list())
    return sequences
