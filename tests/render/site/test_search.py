"""The search index made in the background: shards one after another, results when all are
made, nothing more started after a failed build."""

from __future__ import annotations

from concurrent.futures import CancelledError

import pytest

from reportgen.render.site.search import BackgroundIndex, search_files

PAGE = (
    "<!doctype html><html lang=en><head><title>{title}</title></head>"
    "<body><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>"
)


def pages(day: str, text: str) -> dict[str, bytes]:
    return {f"daily/{day}/index.html": PAGE.format(title=day, text=text).encode()}


def test_background_index_makes_each_started_shard_as_search_files_does() -> None:
    index = BackgroundIndex()
    index.start("2026-10", pages("2026-10-12", "inngest timeouts"))
    index.start("2026-11", pages("2026-11-18", "network incident"))
    made = index.results()
    assert list(made) == ["2026-10", "2026-11"]
    assert made["2026-11"] == search_files("2026-11", pages("2026-11-18", "network incident"))
    assert b"network incident" in made["2026-11"]["search/2026-11.js"]
    assert all(
        path.startswith(("pagefind/2026-10/", "search/2026-10.js")) for path in made["2026-10"]
    )


def test_background_index_without_shards_has_no_results() -> None:
    assert BackgroundIndex().results() == {}


def test_background_index_cancelled_starts_no_more_shards() -> None:
    index = BackgroundIndex()
    for day in range(10, 20):
        index.start(f"2026-11-{day}", pages(f"2026-11-{day}", "a page"))
    index.cancel()  # the first is running or done; the queued ones never start
    with pytest.raises(CancelledError):
        index.results()
