"""A mergeable latency sketch: DDSketch-style log buckets with a relative error of 1 %.

A positive value `x` falls in bucket `i = ceil(log(x) / log(gamma))`, the interval
`(gamma**(i-1), gamma**i]` with `gamma = (1 + a) / (1 - a)`, and the bucket stands for
`2 * gamma**i / (gamma + 1)`, which is within `a` (relative) of every value in it. Zero has its
own bucket below all others, standing for exactly 0. A sketch is only bucket counts (plus the
exact minimum and maximum), so sketches merge by adding counts: the hourly rollups keep one per
cell and a month's sketch is the sum of its hours'.

What holds against the raw values (numpy's default, linear interpolation, as the report uses):
with `n` values sorted `x_0 <= ... <= x_(n-1)`, the q-quantile is
`v = x_k + f * (x_(k+1) - x_k)` at `h = (n - 1) * q`, `k = floor(h)`, `f = h - k`. The sketch
answers `r_k + f * (r_(k+1) - r_k)`, where `r_k` is the representative of the bucket holding
the value of rank `k` (clamped to the exact minimum and maximum). Each `r_k` is within `a` of
`x_k`, and the values are never negative, so the interpolation is within `a * v` of `v`: the
quantile's relative error is at most 1 % (plus float rounding at bucket edges, ~1e-12).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate

import polars as pl

from reportgen.schema import (
    SKETCH_GAMMA,
    SKETCH_LOG_GAMMA,
    SKETCH_RELATIVE_ACCURACY,
    SKETCH_ZERO_BUCKET,
)

RELATIVE_ACCURACY = SKETCH_RELATIVE_ACCURACY
GAMMA = SKETCH_GAMMA
LOG_GAMMA = SKETCH_LOG_GAMMA
ZERO_BUCKET = SKETCH_ZERO_BUCKET

# A sketch as a frame: one row per non-empty bucket (the store's long form).
SKETCH_SCHEMA: dict[str, pl.DataType] = {"bucket": pl.Int32(), "jobs": pl.Int64()}


def bucket_of(value: float) -> int:
    """The bucket of a non-negative value."""
    if value < 0 or math.isnan(value):
        raise ValueError(f"a sketch holds non-negative durations, not {value!r}")
    if value == 0:
        return ZERO_BUCKET
    return math.ceil(math.log(value) / LOG_GAMMA)


def representative(bucket: int) -> float:
    """The value a bucket stands for: within the relative accuracy of all it holds."""
    if bucket == ZERO_BUCKET:
        return 0.0
    return 2.0 * GAMMA**bucket / (GAMMA + 1.0)


def bucket_expr(column: str) -> pl.Expr:
    """`bucket_of` of every value of a non-negative float column, for a frame at once."""
    value = pl.col(column)
    index = (value.log() / LOG_GAMMA).ceil().cast(pl.Int32)
    return pl.when(value == 0).then(pl.lit(ZERO_BUCKET, pl.Int32)).otherwise(index)


@dataclass(frozen=True)
class Sketch:
    """Bucket counts (ascending by bucket) and the exact minimum and maximum."""

    buckets: Mapping[int, int] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None

    @property
    def count(self) -> int:
        return sum(self.buckets.values())

    @classmethod
    def of_values(cls, values: Iterable[float]) -> Sketch:
        counts: dict[int, int] = {}
        low = high = None
        for value in values:
            bucket = bucket_of(value)
            counts[bucket] = counts.get(bucket, 0) + 1
            low = value if low is None else min(low, value)
            high = value if high is None else max(high, value)
        return cls.from_counts(counts.items(), low, high)

    @classmethod
    def from_counts(
        cls, counts: Iterable[tuple[int, int]], minimum: float | None, maximum: float | None
    ) -> Sketch:
        """A sketch of (bucket, count) pairs; a bucket may repeat (its counts add up)."""
        merged: dict[int, int] = {}
        for bucket, count in counts:
            if count:
                merged[int(bucket)] = merged.get(int(bucket), 0) + int(count)
        return cls(dict(sorted(merged.items())), minimum, maximum)

    @classmethod
    def from_frame(
        cls, frame: pl.DataFrame, minimum: float | None, maximum: float | None
    ) -> Sketch:
        """A sketch of a frame with `bucket` and `jobs` columns (rows may repeat a bucket)."""
        buckets, jobs = frame.get_column("bucket").to_list(), frame.get_column("jobs").to_list()
        pairs = zip(buckets, jobs, strict=True)
        return cls.from_counts(pairs, minimum, maximum)

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"bucket": list(self.buckets), "jobs": list(self.buckets.values())},
            schema=SKETCH_SCHEMA,
        )

    def merge(self, other: Sketch) -> Sketch:
        """The sketch of both sketches' values: their counts added."""
        return Sketch.from_counts(
            [*self.buckets.items(), *other.buckets.items()],
            _extreme(min, self.minimum, other.minimum),
            _extreme(max, self.maximum, other.maximum),
        )

    def quantile(self, quantile: float) -> float | None:
        """The q-quantile, interpolated between ranks as numpy's default; null when empty."""
        count = self.count
        if count == 0:
            return None
        ends = list(accumulate(self.buckets.values()))
        keys = list(self.buckets)
        position = (count - 1) * quantile
        below = math.floor(position)
        above = min(below + 1, count - 1)
        low = self._at_rank(keys, ends, below)
        high = self._at_rank(keys, ends, above)
        return low + (high - low) * (position - below)

    def _at_rank(self, keys: list[int], ends: list[int], rank: int) -> float:
        """The representative of the bucket holding the value of 0-based `rank`, kept within
        the exact extremes (which only brings it closer to that value); the first and last
        ranks are the extremes themselves."""
        if rank == 0 and self.minimum is not None:
            return self.minimum
        if rank == ends[-1] - 1 and self.maximum is not None:
            return self.maximum
        value = representative(keys[bisect.bisect_right(ends, rank)])
        if self.minimum is not None:
            value = max(value, self.minimum)
        if self.maximum is not None:
            value = min(value, self.maximum)
        return value


def _extreme(
    pick: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)
