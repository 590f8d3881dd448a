"""The one writer of GitHub-flavoured Markdown tables: reports, health checks, incident issues.

Cells arrive ready to print: whoever fills them escapes untrusted text first (`escape_markdown`),
so no cell can end its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Align = Literal["left", "right"]
_DELIMITERS: dict[Align, str] = {"left": ":---", "right": "---:"}


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], aligns: Sequence[Align] | None = None
) -> list[str]:
    """The table's lines: header, delimiter row, one line per row.

    Without `aligns` the delimiter row is a bare `|---|---|`, which leaves every column to the
    renderer's default alignment.
    """
    if aligns is None:
        delimiter = "|" + "---|" * len(headers)
    else:
        delimiter = _row([_DELIMITERS[align] for align in aligns])
    return [_row(headers), delimiter, *(_row(row) for row in rows)]
