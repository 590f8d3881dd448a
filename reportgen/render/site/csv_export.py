"""CSV downloads of a page's tables, safe to open in a spreadsheet.

Untrusted text (repository names, error messages) that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return would be run as a formula by Excel or LibreOffice; such cells get a
leading `'` (OWASP's CSV-injection advice). Numbers are written unrounded.
"""

from __future__ import annotations

import csv
import io

from reportgen.render.site.tables import Cell, DataTable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> str:
    """One cell's text: empty for null, numbers as is, risky text defused with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(data: DataTable) -> str:
    """The table as CSV text with a header row (RFC 4180 quoting, `\\r\\n` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in data.columns])
    for row in data.rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()
