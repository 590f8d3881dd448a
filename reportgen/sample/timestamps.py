"""Times in the sample are integer milliseconds since the Unix epoch, written as ISO 8601 UTC."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def iso(ms: int) -> str:
    """`2026-11-25T09:59:12.345Z`; the minute is formatted once, as this runs millions of times."""
    minute, rest = divmod(ms, 60_000)
    return f"{_minute(minute)}{rest // 1000:02d}.{rest % 1000:03d}Z"


@functools.lru_cache(maxsize=4096)
def _minute(minute: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(minute * 60))


def stamp(ms: int) -> str:
    """The snapshot stamp of a file name: the UTC hour, `2026-11-25T10`."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H")
