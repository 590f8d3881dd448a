from __future__ import annotations

from typing import Any

from datasets import example_report
from rich.console import Console

from reportgen.render.text.table import report_table
from reportgen.report.view import report_view


def _render(report: dict[str, Any]) -> str:
    console = Console(record=True, width=160, color_system=None, force_terminal=False)
    console.print(report_table(report_view(report)))
    return console.export_text()


def test_report_table_shows_the_summary_numbers() -> None:
    text = _render(example_report())
    assert "daily report 2026-11-25 00:00 UTC to 2026-11-26 00:00 UTC (partial)" in text
    for label, value in [
        ("Status", "critical"),
        ("Health score", "50"),
        ("Jobs", "1,234"),
        ("Error rate", "12.4% (95% CI 10.7–14.4%)"),
        ("Processing p50 / p95", "30.0 s / 4 min 00 s"),
        ("Cost", "$12.20 ($0.0099 per billed job)"),
        ("Hybrid vs all-inngest", "49.4× (the cost if every job ran on inngest: $0.25)"),
        ("Data as of", "2026-11-25 14:45 UTC"),
    ]:
        assert any(label in line and value in line for line in text.splitlines()), label
    assert "savings" not in text.lower()


def test_report_table_shows_untrusted_text_literally() -> None:
    report = example_report()
    report["processors"]["[bold red]fake[/] \x1b[2Jclear"] = report["processors"].pop("inngest")
    report["findings"][0]["message"] = "value [link=https://x.test]click[/link]"
    text = _render(report)
    assert "[bold red]fake[/] [2Jclear" in text
    assert "\x1b" not in text
    assert "value [link=https://x.test]click[/link]" in text


def test_report_table_empty_report_says_no_findings() -> None:
    report = example_report()
    report |= {"findings": [], "job_types": {}, "trends": {}}
    report["errors"]["total"] = 0
    text = _render(report)
    assert "No findings." in text
    assert "Job types" not in text
    assert "Errors by category" not in text
