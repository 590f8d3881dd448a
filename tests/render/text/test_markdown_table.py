from __future__ import annotations

from reportgen.render.text.markdown_table import markdown_table


def test_markdown_table_aligns_each_column_as_asked() -> None:
    lines = markdown_table(
        ["name", "jobs"], [["inngest", "1,000"], ["actions", "5"]], ["left", "right"]
    )
    assert lines == [
        "| name | jobs |",
        "| :--- | ---: |",
        "| inngest | 1,000 |",
        "| actions | 5 |",
    ]


def test_markdown_table_without_aligns_has_a_bare_delimiter_row() -> None:
    assert markdown_table(["a", "b", "c"], [["1", "", "3"]]) == [
        "| a | b | c |",
        "|---|---|---|",
        "| 1 |  | 3 |",
    ]


def test_markdown_table_without_rows_is_its_header() -> None:
    assert markdown_table(["a"], [], ["left"]) == ["| a |", "| :--- |"]
