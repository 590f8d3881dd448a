"""Views of a report: Markdown, terminal table, charts and the site."""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    """The text views `reportgen report` can print."""

    JSON = "json"
    MARKDOWN = "markdown"
    TABLE = "table"
