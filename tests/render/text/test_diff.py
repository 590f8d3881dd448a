"""Comparing reports: what changed, shown as old → new in each figure's unit."""

from __future__ import annotations

from typing import Any

from reportgen.render.text.diff import compare_reports, diff_markdown


def report(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "daily",
        "as_of": "2026-11-25T10:00:00+00:00",
        "status": "healthy",
        "jobs": {"total": 1200, "error_rate": 1.25},
        "processing_time_ms": {"p95": 354_000.0},
        "cost": {"actual": 12.5},
        "health": {"score": 97.0},
        "findings": [],
        "errors": {"total": 15},
    }
    return {**base, **changes}


def test_as_of_alone_is_no_change() -> None:
    old = {"daily/2026-11-24": report()}
    new = {"daily/2026-11-24": report(as_of="2026-11-26T00:00:00+00:00")}
    assert compare_reports(old, new) == []


def test_a_changed_report_shows_each_figure_old_to_new_in_its_unit() -> None:
    new = report(status="critical", jobs={"total": 1300, "error_rate": 12.5}, errors={"total": 9})
    changes = compare_reports({"daily/x": report()}, {"daily/x": new})
    assert [change.change for change in changes] == ["changed"]
    assert changes[0].cells() == [
        "healthy → critical", "1,200 → 1,300", "1.2% → 12.5%", "5 min 54 s", "$12.50", "97",
        "0",
    ]  # fmt: skip
    assert changes[0].other_sections() == ["errors"]


def test_the_markdown_table_escapes_report_names() -> None:
    changes = compare_reports({}, {"custom/a|b": report()})
    text = diff_markdown(changes, 1, old="old", new="new")
    assert text.splitlines()[2] == "old → new: 1 added of 1 report."
    assert text.splitlines()[-1].startswith("| custom/a\\|b | added | healthy | 1,200 |")
