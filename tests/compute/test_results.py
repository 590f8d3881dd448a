"""The JSON form of results: field order, ISO times with offset, no NaN or infinity."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

from reportgen.compute.results import Latency, Trend, to_plain
from reportgen.findings import Severity


def test_to_plain_turns_non_finite_numbers_into_null() -> None:
    latency = Latency(count=1, mean=math.nan, p50=math.inf, p95=-math.inf, max=1.5)
    assert to_plain(latency) == {"count": 1, "mean": None, "p50": None, "p95": None, "max": 1.5}


def test_to_plain_times_enums_and_tuples() -> None:
    plus_one = timezone(timedelta(hours=1))
    value = {
        "at": datetime(2026, 11, 25, 10, tzinfo=plus_one),
        "utc": datetime(2026, 11, 25, tzinfo=UTC),
        "severity": Severity.WARNING,
        "interval": (1.0, 2.0),
        "trend": Trend(None, 1, None, None, "new"),
    }
    plain = to_plain(value)
    assert plain == {
        "at": "2026-11-25T10:00:00+01:00",
        "utc": "2026-11-25T00:00:00+00:00",
        "severity": "warning",
        "interval": [1.0, 2.0],
        "trend": {"previous": None, "current": 1, "absolute": None, "change_pct": None,
                  "direction": "new"},
    }  # fmt: skip
    json.dumps(plain, allow_nan=False)
