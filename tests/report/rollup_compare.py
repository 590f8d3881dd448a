"""Compare a report built from rollups with the same report built from rows, field by field."""

from __future__ import annotations

import math
from typing import Any

from reportgen.compute.sketch import RELATIVE_ACCURACY

# Float rounding at a bucket's edge, on top of the sketch's 1 %.
PERCENTILE_BOUND = RELATIVE_ACCURACY * (1 + 1e-9)
# Means divide an exact integer sum on one side, a float sum on the other.
MEAN_BOUND = 1e-12


# Figures computed from a p95 (its trend and the finding on it) follow the p95: they are
# checked through it, and the finding must still be the same rule at the same severity.
P95_TREND = ".trends.processing_time_p95_ms"
P95_DERIVED = (f"{P95_TREND}.absolute", f"{P95_TREND}.change_pct")


def differences(raw: Any, rolled: Any, path: str = "") -> list[str]:
    """Every field where `rolled` departs from `raw` beyond what the rollups promise:
    percentiles (p50, p95) within 1 %, means to float rounding, all else exactly."""
    if path in P95_DERIVED:
        return []
    if path.startswith(".findings[") and isinstance(raw, dict) and "p95" in str(raw.get("rule")):
        raw = {k: v for k, v in raw.items() if k not in ("value", "message")}
        rolled = {k: v for k, v in rolled.items() if k not in ("value", "message")}
    if isinstance(raw, dict) and isinstance(rolled, dict):
        if list(raw) != list(rolled):
            return [f"{path}: keys {list(raw)} != {list(rolled)}"]
        found: list[str] = []
        for key in raw:
            found += differences(raw[key], rolled[key], f"{path}.{key}")
        return found
    if isinstance(raw, list) and isinstance(rolled, list):
        if len(raw) != len(rolled):
            return [f"{path}: {len(raw)} items != {len(rolled)}"]
        found = []
        for index, (a, b) in enumerate(zip(raw, rolled, strict=True)):
            found += differences(a, b, f"{path}[{index}]")
        return found
    leaf = path.rsplit(".", 1)[-1]
    if (
        (leaf in ("p50", "p95") or path.startswith(P95_TREND))
        and isinstance(raw, float)
        and isinstance(rolled, float)
    ):
        ok = abs(raw - rolled) <= PERCENTILE_BOUND * abs(raw) + 1e-12
    elif leaf == "mean" and isinstance(raw, float) and isinstance(rolled, float):
        ok = math.isclose(raw, rolled, rel_tol=MEAN_BOUND)
    else:
        ok = raw == rolled and type(raw) is type(rolled)
    return [] if ok else [f"{path}: {raw!r} != {rolled!r}"]
