"""`pull`: bring the snapshots of a source into the store (SPEC §2.3)."""

from __future__ import annotations

from collections.abc import Callable

from reportgen.config import Settings
from reportgen.store import PullResult, Resources, open_store


def run_pull(
    settings: Settings,
    *,
    source: str | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> PullResult:
    """Pull `source` (default: the configured source) into the configured store."""
    with open_store(
        settings.store.path,
        wait_seconds=settings.store.wait_seconds,
        resources=Resources.of(settings.store),
    ) as store:
        return store.pull(source or settings.source.path, strict=strict, progress=progress)
