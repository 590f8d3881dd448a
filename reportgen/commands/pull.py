"""`pull`: bring the snapshots of a source (files or the job system's database) into the store."""

from __future__ import annotations

from collections.abc import Callable

from reportgen.config import Settings
from reportgen.sources import open_source
from reportgen.store import PullResult, open_configured


def run_pull(
    settings: Settings,
    *,
    source: str | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PullResult:
    """Pull `source` (default: REPORTGEN_DATABASE_URL, else source.path) into the store."""
    pulled = open_source(settings, source)
    with open_configured(settings.store) as store:
        return store.pull(pulled, strict=strict, progress=progress)
