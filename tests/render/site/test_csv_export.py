from __future__ import annotations

import pytest

from reportgen.render.site.csv_export import safe_cell, to_csv
from reportgen.render.site.tables import Column, DataTable


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('=HYPERLINK("https://evil.test")', '\'=HYPERLINK("https://evil.test")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("microsoft/vscode", "microsoft/vscode"),
        (-3.5, "-3.5"),
        (12, "12"),
        (None, ""),
        (True, "true"),
    ],
)
def test_safe_cell_defuses_formulas(value: str | float | None, text: str) -> None:
    assert safe_cell(value) == text


def test_to_csv_quotes_and_keeps_full_precision() -> None:
    data = DataTable(
        "t",
        "T",
        (Column("name", "Name"), Column("rate", "Rate", "percent")),
        (('a,"b"\nc', 12.449123), ("=1+2", None)),
    )
    assert to_csv(data) == 'name,rate\r\n"a,""b""\nc",12.449123\r\n\'=1+2,\r\n'
