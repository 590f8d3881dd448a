"""The latency sketch: buckets by hand, merging, and quantiles within 1 % of numpy's.

numpy is not a dependency: its default percentile is Polars' `linear` quantile (checked below).
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.compute.sketch import (
    GAMMA,
    RELATIVE_ACCURACY,
    ZERO_BUCKET,
    Sketch,
    bucket_expr,
    bucket_of,
    representative,
)

# Float rounding at a bucket's edge may put a value in the next bucket: a hair over 1 %.
BOUND = RELATIVE_ACCURACY * (1 + 1e-9)


def test_gamma_and_buckets_by_hand() -> None:
    assert math.isclose(GAMMA, 1.01 / 0.99)
    # log(1) = 0: the bucket (gamma**-1, 1] is 0, standing for 2 / (gamma + 1) = 0.99.
    assert bucket_of(1.0) == 0
    assert representative(0) == pytest.approx(0.99)
    # 100 ms: log(100) / log(1.0202...) = 230.25... -> 231, standing for 100.49 (0.49 % off)
    assert bucket_of(100.0) == 231
    assert representative(231) == pytest.approx(100.4946, abs=1e-4)
    assert bucket_of(0.0) == ZERO_BUCKET
    assert representative(ZERO_BUCKET) == 0.0
    with pytest.raises(ValueError, match="non-negative durations"):
        bucket_of(-1.0)


def test_quantiles_by_hand() -> None:
    sketch = Sketch.of_values([10.0, 20.0, 30.0, 40.0])
    assert sketch.count == 4
    # numpy: p50 = 25 (between 20 and 30), p95 = 38.5 (between 30 and 40); the sketch
    # interpolates the same ranks' representatives, 40 being the exact maximum.
    assert sketch.quantile(0.5) == pytest.approx(25.0, rel=RELATIVE_ACCURACY)
    assert sketch.quantile(0.95) == pytest.approx(38.5, rel=RELATIVE_ACCURACY)
    assert sketch.quantile(1.0) == 40.0
    assert sketch.quantile(0.0) == 10.0
    assert Sketch().quantile(0.5) is None
    assert Sketch.of_values([0.0, 0.0, 5.0]).quantile(0.5) == 0.0


def test_merge_adds_counts_and_keeps_extremes() -> None:
    a, b = Sketch.of_values([1.0, 2.0, 2.0]), Sketch.of_values([2.0, 50.0])
    merged = a.merge(b)
    assert merged == Sketch.of_values([1.0, 2.0, 2.0, 2.0, 50.0])
    assert merged.buckets[bucket_of(2.0)] == 3
    assert (merged.minimum, merged.maximum) == (1.0, 50.0)
    assert Sketch.from_frame(merged.to_frame(), 1.0, 50.0) == merged


def test_the_frame_expression_agrees_with_the_scalar_function() -> None:
    values = [0.0, 0.001, 0.5, 1.0, 99.999, 100.0, 12_345.678, 3_600_000.0]
    frame = pl.DataFrame({"v": values}).select(bucket_expr("v"))
    assert frame.to_series().to_list() == [bucket_of(v) for v in values]


def numpy_percentile(values: list[float], q: float) -> float:
    """numpy's default percentile (linear interpolation between ranks), as Polars computes it."""
    result = pl.Series(values, dtype=pl.Float64).quantile(q, interpolation="linear")
    assert result is not None
    return float(result)


def test_the_reference_is_numpy_linear_interpolation() -> None:
    # numpy.percentile([1, 2, 4, 8], [50, 95]) == [3.0, 7.4]
    assert numpy_percentile([1.0, 2.0, 4.0, 8.0], 0.5) == 3.0
    assert numpy_percentile([1.0, 2.0, 4.0, 8.0], 0.95) == pytest.approx(7.4)


durations = st.floats(min_value=0.0, max_value=1e8, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(durations, st.integers(0, 10**9).map(lambda us: us / 1000.0)), min_size=1,
             max_size=300),
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=5),
)  # fmt: skip
def test_quantiles_are_within_the_bound_of_numpy(values: list[float], qs: list[float]) -> None:
    """|sketch - numpy| <= 1 % of numpy's linear percentile, for any split into merged parts."""
    half = len(values) // 2
    sketch = Sketch.of_values(values[:half]).merge(Sketch.of_values(values[half:]))
    for q in [0.5, 0.95, *qs]:
        exact = numpy_percentile(values, q)
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - exact) <= BOUND * exact + 1e-12, (q, exact, estimate)


@settings(max_examples=100, deadline=None)
@given(st.lists(durations, min_size=1, max_size=200))
def test_the_value_at_each_rank_is_within_the_bound(values: list[float]) -> None:
    """The plain DDSketch guarantee: the value standing for rank k is within 1 % of x_k."""
    ordered = sorted(values)
    sketch = Sketch.of_values(values)
    n = len(ordered)
    for k in range(n):
        q = k / (n - 1) if n > 1 else 0.0
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert math.isclose(estimate, ordered[k], rel_tol=BOUND, abs_tol=1e-12)
