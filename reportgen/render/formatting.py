"""How numbers, durations, money and times are presented, shared by every view of a report.

Reports carry raw numbers (the JSON contract: rates 0-100, durations in ms, money in US dollars);
rounding happens only here, when a value is shown. `None` means "not measured" (no finished
jobs, no baseline) and is shown as `n/a`, never as zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

NOT_AVAILABLE = "n/a"

# Whitespace runs (newlines included) and control characters, which could end a table row or
# carry terminal escape sequences, become single spaces in any untrusted text we show.
_WHITESPACE = re.compile(r"\s+")
# Bidirectional overrides can make shown text read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What `plain_text` does to each character, as one table for str.translate: the control
# characters (category Cc: U+0000-001F, U+007F-009F) and the line and paragraph separators
# (Zl, Zp: U+2028, U+2029) become spaces, the bidirectional controls go. Those categories hold
# exactly these characters (tests/render/test_formatting.py checks every code point).
_PLAIN = {
    **dict.fromkeys((*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029), " "),
    **{ord(char): None for char in _BIDI_CONTROLS},
}


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Untrusted text on one line: control characters dropped, whitespace collapsed, cut."""
    if text is None:
        return ""
    line = _WHITESPACE.sub(" ", text.translate(_PLAIN)).strip()
    if limit is not None and len(line) > limit:
        return line[: max(limit - 1, 0)].rstrip() + "…"
    return line


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def count(value: int | float | None) -> str:
    """A whole number with thousands separators: `12,345`."""
    if value is None or not _finite(float(value)):
        return NOT_AVAILABLE
    return f"{round(value):,}"


def number(value: float | None, digits: int = 1) -> str:
    """A decimal number with thousands separators: `1,234.5`."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """A percentage already on the 0-100 scale: `7.2%`."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    return f"{value:,.{digits}f}%"


def interval(bounds: Sequence[float | None] | None, digits: int = 1) -> str:
    """A confidence interval of percentages: `5.1–9.8%`."""
    if not bounds or len(bounds) != 2 or not all(_finite(b) for b in bounds):
        return NOT_AVAILABLE
    low, high = bounds
    return f"{low:,.{digits}f}–{high:,.{digits}f}%"


def score(value: float | None) -> str:
    """A health score (0-100) as a whole number, as every view shows it: `87`."""
    return number(value, 0)


def signed_percent(value: float | None, digits: int = 1) -> str:
    """A change in percent with its sign: `+12.5%`, `-3.0%`."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    return f"{value:+,.{digits}f}%"


def money(value: float | None) -> str:
    """US dollars; amounts under a cent keep four decimals (a job costs a fraction of one)."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if amount == 0:
        return "$0.00"
    if amount < 0.01:
        return f"{sign}${amount:.4f}"
    return f"{sign}${amount:,.2f}"


def duration_ms(value: float | None) -> str:
    """A duration given in milliseconds, in the largest units that keep it readable."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    if value < 0:
        return "-" + duration_ms(-value)
    if value < 1_000:
        return f"{value:.0f} ms"
    seconds = value / 1_000
    if seconds < 60:
        return f"{seconds:.1f} s"
    return _long_duration(round(seconds))


def duration_s(value: float | None) -> str:
    """A duration given in seconds (queue ages)."""
    if value is None or not _finite(value):
        return NOT_AVAILABLE
    return duration_ms(value * 1_000)


def _long_duration(seconds: int) -> str:
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days} d {hour} h"
    if hours:
        return f"{hours} h {minute:02d} min"
    return f"{minutes} min {second:02d} s"


# A duration written in raw milliseconds inside a sentence ("353757 ms vs 180000 ms").
_RAW_MS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) ms\b")


def readable_durations(text: str) -> str:
    """Text with every raw `<number> ms` shown in the units of the tables (`5 min 54 s`)."""
    return _RAW_MS.sub(lambda match: duration_ms(float(match.group(1))), text)


def ratio(value: float | None, whole: float | None) -> str:
    """`value` as a multiple of `whole` (`32.6×`), or n/a without a whole."""
    if value is None or whole is None or not whole or not _finite(value) or not _finite(whole):
        return NOT_AVAILABLE
    times = value / whole
    return f"{times:,.1f}×" if times >= 0.1 else f"{times:.2f}×"


def cost_per_billed_job(cost: Mapping[str, Any]) -> str:
    """The actual cost over the jobs it paid for: every inngest job and every finished
    GitHub Actions job (unfinished ones have no cost yet)."""
    inngest = cost.get("inngest_jobs") or 0
    actions = (cost.get("github_actions_jobs") or 0) - (cost.get("pending_jobs") or 0)
    billed = inngest + max(actions, 0)
    actual = cost.get("actual")
    if not billed or actual is None or not _finite(actual):
        return NOT_AVAILABLE
    per_job = actual / billed
    # A job costs cents or less: `$0.01` would hide a 50 % difference ($0.0114 vs $0.0149).
    return f"${per_job:.4f}" if 0 <= per_job < 1 else money(per_job)


def timestamp(value: str | None) -> str:
    """An ISO 8601 time shown to the minute with its offset: `2026-11-25 10:00 UTC`."""
    if not value:
        return NOT_AVAILABLE
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return plain_text(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    offset = moment.utcoffset()
    zone = "UTC" if not offset else moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {zone}"


PROCESSOR_JOBS = "processor_jobs."
METRIC_LABELS = {
    "jobs": "jobs",
    "error_rate": "error rate",
    "processing_time_p95_ms": "p95 processing time",
    "cost": "cost",
}


def metric_label(metric: str) -> str:
    """A trend's name for people; the processor in `processor_jobs.<name>` is untrusted text."""
    if metric.startswith(PROCESSOR_JOBS):
        return f"jobs on {metric.removeprefix(PROCESSOR_JOBS)}"
    return METRIC_LABELS.get(metric, metric)


def metric_value(metric: str, value: Any) -> str:
    """A trend's value in the unit its metric name says: rates, durations, money or counts."""
    if metric.startswith(PROCESSOR_JOBS):
        return count(value)
    if "rate" in metric:
        return percent(value)
    if metric.endswith("_ms") or "p95" in metric or "time" in metric:
        return duration_ms(value)
    if "cost" in metric:
        return money(value)
    return count(value)


TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def trend_label(trend: Mapping[str, Any] | None) -> str:
    """The change column of a trend: `+12.5% ↑`, `-0.4% →`, `new`, `n/a`."""
    if not trend:
        return NOT_AVAILABLE
    direction = str(trend.get("direction"))
    if direction == "new":
        return "new"
    change = trend.get("change_pct")
    shown = signed_percent(change if isinstance(change, int | float) else None)
    if direction == "inconclusive":
        # The numbers moved, but one side rests on too few jobs to call it a trend.
        return f"{shown} (inconclusive)"
    arrow = TREND_ARROWS.get(direction)
    return f"{shown} {arrow}" if arrow else shown


def coverage(
    start: datetime,
    end: datetime,
    data_span: tuple[datetime, datetime] | None,
    data_as_of: datetime | None,
) -> tuple[str, bool]:
    """What the data cover of `[start, end)`, in words, and whether that is less than all.

    `data start 2026-10-25 · 7 of 31 days` for a month the data start in;
    `data until 2026-11-25 10:00 UTC · 10 of 24 hours` for a day the data stop in.
    """
    if data_span is None:
        return "no data", True
    first = data_span[0]
    last = max(data_span[1], data_as_of) if data_as_of is not None else data_span[1]
    covered_from, covered_to = max(start, first), min(end, last)
    hours = (end - start) / timedelta(hours=1)
    parts: list[str] = []
    if first > start:
        parts.append(f"data start {first.date().isoformat()}")
    if last < end:
        parts.append(f"data until {last.strftime('%Y-%m-%d %H:%M')} UTC")
    if not parts:
        return "data cover the whole period", False
    span = max(covered_to - covered_from, timedelta(0))
    if hours <= 48:
        covered = round(span / timedelta(hours=1))
        parts.append(f"{covered} of {round(hours)} hours")
    else:
        days = round((end - start) / timedelta(days=1))
        covered = min(days, -(-span // timedelta(days=1)))
        parts.append(f"{covered} of {days} days")
    return " · ".join(parts), True
