from __future__ import annotations

import re

import pytest
from datasets import HOSTILE_ERROR, HOSTILE_REPOSITORY, example_report
from syrupy.assertion import SnapshotAssertion

from reportgen.render.text.markdown import escape_markdown, report_markdown

# A pipe that ends a GFM table cell: not preceded by an odd run of backslashes.
_CELL_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (None, ""),
        ("microsoft/vscode", "microsoft/vscode"),
        ("github_actions", "github_actions"),
        ("_emphasis_", r"\_emphasis\_"),
        ("a|b", r"a\|b"),
        ("a\\|b", r"a\\\|b"),
        ("`code`", r"\`code\`"),
        ("<img src=x>", r"\<img src=x\>"),
        ("[click](https://x.test)", r"\[click\]\(https\://x.test\)"),
        ("![pixel](x)", r"\!\[pixel\]\(x\)"),
        ("see www.x.test", r"see www\.x.test"),
        ("line one\n| two |", r"line one \| two \|"),
        ("<!-- reportgen:key=abc -->", r"\<\!-- reportgen:key=abc --\>"),
        ("cost $5 & $6", r"cost \$5 \& \$6"),
        ("ping @octocat", "ping @\u200boctocat"),
        ("org/repo#12", "org/repo\\#\u200b12"),
        ("*bold* ~strike~", r"\*bold\* \~strike\~"),
    ],
)
def test_escape_markdown_makes_text_inert(text: str | None, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_escape_markdown_cuts_long_text() -> None:
    assert escape_markdown("a|" * 10, limit=5) == r"a\|a\|…"


def test_report_markdown_tables_keep_their_columns() -> None:
    markdown = report_markdown(example_report())
    columns = 0
    for line in markdown.splitlines():
        if not line.startswith("|"):
            columns = 0
            continue
        cells = len(_CELL_PIPE.findall(line)) - 1
        columns = columns or cells
        assert cells == columns, line


def test_report_markdown_has_no_live_markup_from_data() -> None:
    markdown = report_markdown(example_report())
    assert HOSTILE_ERROR.splitlines()[0] not in markdown
    for live in (r"<img", r"<script", r"\]\(https", r"\[click", "@octocat", r"\n\| injected"):
        assert not re.search(r"(?<!\\)" + live, markdown), live
    assert HOSTILE_REPOSITORY not in markdown


def test_report_markdown_example(snapshot: SnapshotAssertion) -> None:
    assert report_markdown(example_report()) == snapshot


def test_report_markdown_inconclusive_explains_why() -> None:
    report = example_report()
    report["health"] = {"score": None, "conclusive": False, "deductions": []}
    report["jobs"] |= {"finished": 5, "conclusive": False}
    markdown = report_markdown(report)
    assert "**Health score:** n/a (inconclusive)" in markdown
    assert "Inconclusive: 5 finished jobs, more than 10 are needed to judge rates." in markdown
    assert "- **Rates are inconclusive:** 5 finished jobs, more than 10 are needed to judge" in (
        markdown
    )


def test_report_markdown_closed_period_has_no_partial_marker() -> None:
    report = example_report()
    report["period"]["partial"] = False
    assert "Partial period" not in report_markdown(report)


def test_report_markdown_long_tables_are_cut_with_a_count() -> None:
    report = example_report()
    report["job_types"] = {
        f"type-{n:02d}": {"jobs": 1, "failed": 0, "error_rate": 0.0} for n in range(45)
    }
    lines = report_markdown(report).splitlines()
    assert "| type-29 | 1 | 0 | 0.0% |" in lines
    assert "| type-30 | 1 | 0 | 0.0% |" not in lines
    assert "… and 15 more rows (see the JSON)." in lines
