"""Which reports changed between two builds, and how: the pull request's report review.

Compares reports by their JSON form (`report.json` of each site page, or single files) and
shows each changed report's status and key figures as `old → new`, in Markdown for a job
summary or a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reportgen.render import formatting as fmt
from reportgen.render.text.markdown import escape_markdown

# Fields that differ between any two builds without the report changing.
VOLATILE = frozenset({"as_of"})


@dataclass(frozen=True)
class Figure:
    """One key figure of a report: where it sits in the JSON and how it is shown."""

    label: str
    path: tuple[str, ...]
    show: Callable[[Any], str]


def _count(value: Any) -> str:
    return fmt.count(value) if isinstance(value, int | float) else fmt.NOT_AVAILABLE


def _plain(value: Any) -> str:
    return fmt.NOT_AVAILABLE if value is None else escape_markdown(str(value))


def _score(value: Any) -> str:
    return fmt.score(value) if isinstance(value, int | float) else fmt.NOT_AVAILABLE


def _findings(value: Any) -> str:
    return fmt.count(len(value)) if isinstance(value, list) else fmt.NOT_AVAILABLE


FIGURES = (
    Figure("status", ("status",), _plain),
    Figure("jobs", ("jobs", "total"), _count),
    Figure("error rate", ("jobs", "error_rate"), fmt.percent),
    Figure("p95 processing", ("processing_time_ms", "p95"), fmt.duration_ms),
    Figure("cost", ("cost", "actual"), fmt.money),
    Figure("health", ("health", "score"), _score),
    Figure("findings", ("findings",), _findings),
)
# The top-level sections the figures above are read from, so "also changed" names the rest.
_SHOWN = frozenset({"status", "jobs", "processing_time_ms", "cost", "health", "findings"})


def _at(report: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class ReportChange:
    """One report that differs: `added`, `removed` or `changed`."""

    name: str
    change: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None

    def cells(self) -> list[str]:
        """Each key figure as `value` or `old → new`."""
        shown = []
        for figure in FIGURES:
            before = figure.show(_at(self.old, figure.path)) if self.old is not None else None
            after = figure.show(_at(self.new, figure.path)) if self.new is not None else None
            if before is None or after is None:
                shown.append(after or before or fmt.NOT_AVAILABLE)
            else:
                shown.append(before if before == after else f"{before} → {after}")
        return shown

    def other_sections(self) -> list[str]:
        """Top-level sections that changed beyond the key figures (`errors`, `trends`)."""
        if self.old is None or self.new is None:
            return []
        keys = dict.fromkeys([*self.old, *self.new])
        return [
            key
            for key in keys
            if key not in _SHOWN | VOLATILE and self.old.get(key) != self.new.get(key)
        ]


def compare_reports(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[ReportChange]:
    """Reports named alike compared; `as_of` is ignored, since every build moves it."""
    changes = []
    for name in sorted(dict.fromkeys([*old, *new])):
        before, after = old.get(name), new.get(name)
        if before is None:
            changes.append(ReportChange(name, "added", None, after))
        elif after is None:
            changes.append(ReportChange(name, "removed", before, None))
        elif _stable(before) != _stable(after):
            changes.append(ReportChange(name, "changed", before, after))
    return changes


def _stable(report: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key not in VOLATILE}


def diff_markdown(changes: list[ReportChange], compared: int, *, old: str, new: str) -> str:
    """`## Report changes`, one table row per changed report; a sentence when none did."""
    lines = ["## Report changes", ""]
    sides = f"{escape_markdown(old)} → {escape_markdown(new)}"
    lines += [f"{sides}: {_summary(changes, compared)}", ""]
    if not changes:
        return "\n".join(lines)
    header = ["report", "change", *(figure.label for figure in FIGURES), "also changed"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join([":---", ":---", ":---", *["---:"] * 6, ":---"]) + " |")
    for change in changes:
        others = ", ".join(change.other_sections()) or "—"
        row = [escape_markdown(change.name), change.change, *change.cells(), others]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    return "\n".join(lines)


def _summary(changes: list[ReportChange], compared: int) -> str:
    noun = "report" if compared == 1 else "reports"
    if not changes:
        return f"no report changed ({compared} {noun} compared)."
    kinds = ("changed", "added", "removed")
    counts = {kind: sum(c.change == kind for c in changes) for kind in kinds}
    parts = [f"{number} {kind}" for kind, number in counts.items() if number]
    return f"{', '.join(parts)} of {compared} {noun}."
