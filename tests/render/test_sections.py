from __future__ import annotations

from datasets import HOSTILE_REPOSITORY, example_report

from reportgen.render import sections
from reportgen.render.sections import Column
from reportgen.report.view import report_view

REPORT = report_view(example_report())


def test_processors_section_holds_raw_values_in_report_order() -> None:
    processors = sections.processors(REPORT)
    assert [c.name for c in processors.columns] == [
        "processor", "jobs", "share", "finished", "failed", "error_rate", "p50_ms", "p95_ms",
    ]  # fmt: skip
    assert processors.rows == (
        ("inngest", 1000, 81.04, 998, 3, 0.3, 30_000.0, 240_000.0),
        (HOSTILE_REPOSITORY, 234, 18.96, 231, 150, 64.94, None, None),
    )


def test_select_keeps_the_rows_with_fewer_columns_in_the_order_asked() -> None:
    chosen = sections.processors(REPORT).select("p95_ms", "processor")
    assert [c.label for c in chosen.columns] == ["p95", "Processor"]
    assert chosen.rows == ((240_000.0, "inngest"), (None, HOSTILE_REPOSITORY))
    assert chosen.title == "Processors"


def test_errors_by_category_leaves_out_categories_without_failures() -> None:
    assert sections.errors_by_category(REPORT).rows == (("network", 150), ("rate_limit", 3))


def test_trends_show_values_in_their_metric_unit() -> None:
    assert sections.trends(REPORT).rows == (
        ("jobs", "1,000", "1,234", "+23.4% ↑"),
        ("error rate", "n/a", "12.4%", "new"),
    )


def test_findings_section_keeps_the_report_order() -> None:
    assert [row[:3] for row in sections.findings(REPORT).rows] == [
        ("critical", "error_rate", "overall"),
        ("warning", "stuck_jobs", "overall"),
    ]


def test_present_rounds_figures_and_keeps_text() -> None:
    assert sections.present(Column("n", "N", "count"), 1234.4) == "1,234"
    assert sections.present(Column("r", "R", "percent"), 7.25) == "7.2%"
    assert sections.present(Column("t", "T", "ms"), 240_000.0) == "4 min 00 s"
    assert sections.present(Column("t", "T", "ms"), None) == "n/a"
    assert sections.present(Column("s", "S", "shown"), "+1.0% ↑") == "+1.0% ↑"
    assert not Column("x", "X").numeric and Column("s", "S", "shown").numeric


def test_cost_headlines_say_dollars_per_billed_job_and_the_ratio_to_all_inngest() -> None:
    cost = {
        "actual": 1.34, "baseline": 0.04, "inngest_jobs": 150, "github_actions_jobs": 60,
        "pending_jobs": 10,
    }  # fmt: skip
    assert sections.cost_headlines(cost) == (
        sections.Headline("Cost", "$1.34", "$0.0067 per billed job"),
        sections.Headline(
            "Hybrid vs all-inngest", "33.5×", "the cost if every job ran on inngest: $0.04"
        ),
    )
