"""One rendered page of each kind, for review in pull requests.

Chart specs and their tables are snapshotted on their own (tests/render/test_charts.py), so
here each embedded spec and chart table is replaced by a placeholder, other tables keep their
first rows, and asset hashes and the version are normalised: the snapshot stays reviewable.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_builder import sample_site_fixture  # noqa: F401 - registers the fixture
from syrupy.assertion import SnapshotAssertion

from reportgen import __version__

PAGES = [
    "index.html",
    "daily/2026-11-29/index.html",
    "weekly/2026-W48/index.html",
    "monthly/2026-11/index.html",
    "custom/incident/index.html",
    "alerts/index.html",
    "search/index.html",
    "404.html",
    "feed.xml",
]


def normalised(text: str) -> str:
    text = re.sub(
        r'(<script type="application/json" class="chart-spec" data-target="([^"]+)">)[^<]*',
        r"\1{spec of \2}",
        text,
    )
    text = re.sub(
        r"<details>\n<summary>Data table</summary>.*?</details>",
        "<details>{chart data table}</details>",
        text,
        flags=re.DOTALL,
    )
    text = re.sub(r"<tbody>\n(.*?)</tbody>", _first_rows, text, flags=re.DOTALL)
    text = re.sub(r"assets/(\w+)-[0-9a-f]{12}\.", r"assets/\1-HASH.", text)
    return text.replace(f"reportgen {__version__}", "reportgen VERSION")


def _first_rows(match: re.Match[str]) -> str:
    rows = match.group(1).splitlines(keepends=True)
    kept = "".join(rows[:3])
    more = f"<!-- {len(rows) - 3} more rows -->\n" if len(rows) > 3 else ""
    return f"<tbody>\n{kept}{more}</tbody>"


@pytest.mark.parametrize("page", PAGES)
def test_page_snapshot(sample_site: Path, page: str, snapshot: SnapshotAssertion) -> None:
    assert normalised((sample_site / page).read_text(encoding="utf-8")) == snapshot
