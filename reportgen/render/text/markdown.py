"""The Markdown view of a report: for PR review, issue bodies and step summaries.

It reads the report's JSON form only and never recomputes: every number shown is a value of
the report, rounded here. Untrusted text (repository names, job types, processor names, error
messages) goes through `escape_markdown`, so it cannot end a table row, open a link or image,
write HTML, mention a user or reference an issue once GitHub renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reportgen.findings import Severity
from reportgen.render import formatting as fmt
from reportgen.render import sections
from reportgen.render.sections import Cell, Column, Section
from reportgen.render.text.markdown_table import Align, markdown_table
from reportgen.report.view import (
    DeductionView,
    JobsView,
    LatencyView,
    RecentErrorView,
    ReportView,
    RepositoryRowView,
)

STATUS_BADGES = {
    "healthy": "🟢 healthy",
    "warning": "🟡 warning",
    "critical": "🔴 critical",
    "inconclusive": "⚪ inconclusive",
}
RECENT_ERRORS_SHOWN = 5
MAX_TABLE_ROWS = 30
ERROR_MESSAGE_CHARS = 200
DEDUCTION_NAMES = {
    "error_rate_high": "error rate above {threshold}",
    "error_rate_elevated": "error rate above {threshold}",
    "success_rate_low": "success rate below {threshold}",
    "processing_time_high": "mean processing time above {threshold}",
    "emergency_stop": "emergency stop is on",
}

# Characters CommonMark/GFM give a meaning inline; a backslash makes each one literal.
_BACKSLASHED = frozenset("\\`*_[]()<>!|~$&{}")
_ZERO_WIDTH_SPACE = "\u200b"


def escape_markdown(text: str | None, limit: int | None = None) -> str:
    """Untrusted text as inert inline Markdown on one line, safe inside a table cell."""
    line = fmt.plain_text(text, limit)
    pieces: list[str] = []
    for index, char in enumerate(line):
        if char == "_" and _intraword(line, index):
            # Between two letters or digits `_` can neither open nor close emphasis.
            pieces.append(char)
        elif char in _BACKSLASHED:
            pieces.append("\\" + char)
        elif char == ":" and line.startswith("//", index + 1):
            # `scheme\://` is not autolinked, so a URL in an error message stays plain text.
            pieces.append("\\:")
        elif char == "." and line[max(index - 3, 0) : index].lower() == "www":
            pieces.append("\\.")
        elif char == "#":
            pieces.append("\\#" + _ZERO_WIDTH_SPACE)
        elif char == "@":
            # GitHub turns @name into a mention and a#1 into a cross-reference after
            # rendering; a zero-width space after the sign stops both.
            pieces.append("@" + _ZERO_WIDTH_SPACE)
        else:
            pieces.append(char)
    return "".join(pieces)


def _intraword(line: str, index: int) -> bool:
    return 0 < index < len(line) - 1 and line[index - 1].isalnum() and line[index + 1].isalnum()


def _name(text: str | None) -> str:
    escaped = escape_markdown(text, 120)
    return escaped or "(none)"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], aligns: Sequence[Align] | None = None
) -> list[str]:
    """A GFM table; unless `aligns` says otherwise the first column is a name, the rest figures.

    Processor and job type names come from the data, so their number is unbounded; past
    `MAX_TABLE_ROWS` the rest are counted, keeping an issue body under GitHub's size limit.
    """
    if aligns is None:
        aligns = ["right" if i else "left" for i in range(len(headers))]
    lines = markdown_table(headers, rows[:MAX_TABLE_ROWS], aligns)
    if len(rows) > MAX_TABLE_ROWS:
        lines += ["", f"… and {fmt.count(len(rows) - MAX_TABLE_ROWS)} more rows (see the JSON)."]
    return lines


def _section_table(section: Section) -> list[str]:
    """A section as a GFM table: text escaped, figures presented."""
    columns = section.columns
    rows = [[_cell(c, v) for c, v in zip(columns, row, strict=True)] for row in section.rows]
    aligns: list[Align] = ["right" if c.numeric else "left" for c in columns]
    return _table([c.label for c in columns], rows, aligns)


def _cell(column: Column, value: Cell) -> str:
    if column.numeric:
        return sections.present(column, value)
    return _name(None if value is None else str(value))


def report_markdown(report: ReportView) -> str:
    """The whole report as GitHub-flavoured Markdown, ending with a newline."""
    parts = [
        _header(report),
        _health(report),
        _jobs(report),
        _timing(report),
        _processors(report),
        _job_types(report),
        _repositories(report),
        _errors(report),
        _queue(report),
        _cost(report),
        _trends(report),
        _findings(report),
        _recommendations(report),
        _footer(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in parts if lines) + "\n"


def _period_label(report: ReportView) -> str:
    period = report["period"]
    slug = period.get("slug")
    span = f"{fmt.timestamp(period['start'])} to {fmt.timestamp(period['end'])}"
    if slug and report["kind"] != "custom":
        return f"{escape_markdown(slug)} ({span})"
    return span


def _header(report: ReportView) -> list[str]:
    period = report["period"]
    lines = [f"# Rollout report: {escape_markdown(report['kind'])} {_period_label(report)}", ""]
    if period.get("partial"):
        until = period.get("elapsed_end") or report["as_of"]
        lines += [
            f"> **Partial period:** it has not ended yet; this covers data up to "
            f"{fmt.timestamp(until)}.",
            "",
        ]
    status = report["status"]
    score = report["health"]["score"]
    score_text = f"{fmt.score(score)}/100" if score is not None else "n/a (inconclusive)"
    lines.append(
        f"**Status:** {STATUS_BADGES.get(status, escape_markdown(status))} · "
        f"**Health score:** {score_text} · "
        f"**Jobs:** {fmt.count(report['jobs']['total'])} · "
        f"**Error rate:** {fmt.percent(report['jobs']['error_rate'])}"
    )
    rollout = report.get("rollout")
    if rollout and rollout.get("percentage") is not None:
        stop = " · **emergency stop on**" if rollout.get("emergency_stop") else ""
        lines.append("")
        lines.append(
            f"Rollout of {escape_markdown(rollout.get('feature'))}: "
            f"{fmt.number(rollout['percentage'], 0)}%{stop}"
        )
    return lines


def _health(report: ReportView) -> list[str]:
    health = report["health"]
    lines = ["## Health score", ""]
    if health["score"] is None:
        jobs = report["jobs"]
        lines.append(
            f"Inconclusive: {fmt.count(jobs['finished'])} finished jobs, "
            f"more than {fmt.count(jobs.get('min_jobs'))} are needed to judge rates."
        )
        return lines
    lines.append(f"**{fmt.score(health['score'])}** out of 100.")
    deductions = health.get("deductions") or []
    if not deductions:
        lines += ["", "No deductions."]
        return lines
    rows = [
        [_deduction_name(d), fmt.count(-abs(d["points"])), _deduction_value(d)] for d in deductions
    ]
    return [*lines, "", *_table(["Deduction", "Points", "Value"], rows)]


def _deduction_name(deduction: DeductionView) -> str:
    rule = str(deduction["rule"])
    template = DEDUCTION_NAMES.get(rule)
    if template is None:
        return escape_markdown(rule)
    threshold = deduction.get("threshold")
    shown = fmt.duration_ms(threshold) if rule == "processing_time_high" else fmt.percent(threshold)
    return template.format(threshold=shown)


def _deduction_value(deduction: DeductionView) -> str:
    value = deduction.get("value")
    if isinstance(value, bool) or value is None:
        return "yes" if value else fmt.NOT_AVAILABLE
    if deduction["rule"] == "processing_time_high":
        return fmt.duration_ms(value)
    return fmt.percent(value)


def _rate_line(label: str, rate: Any, ci: Any, part: int, part_label: str, whole: int) -> str:
    return (
        f"- **{label}:** {fmt.percent(rate)} (95% CI {fmt.interval(ci)}), "
        f"{fmt.count(part)} {part_label} of {fmt.count(whole)} finished"
    )


def _jobs(report: ReportView) -> list[str]:
    jobs = report["jobs"]
    by_status = jobs["by_status"]
    rows = [[status, fmt.count(by_status.get(status, 0))] for status in by_status]
    rows += [["**finished**", fmt.count(jobs["finished"])], ["**total**", fmt.count(jobs["total"])]]
    completed = jobs.get("completed", by_status.get("completed", 0))
    failed = jobs.get("failed", by_status.get("failed", 0))
    lines = ["## Jobs", "", *_table(["Status", "Jobs"], rows), ""]
    lines.append(
        _rate_line(
            "Error rate",
            jobs["error_rate"],
            jobs["error_rate_ci"],
            failed,
            "failed",
            jobs["finished"],
        )
    )
    lines.append(
        _rate_line(
            "Success rate",
            jobs["success_rate"],
            jobs.get("success_rate_ci"),
            completed,
            "completed",
            jobs["finished"],
        )
    )
    lines.append(_conclusive_line(jobs))
    lines.append(
        f"- **Throughput:** {fmt.number(report['throughput_per_hour'])} completed jobs per hour"
    )
    return lines


def _conclusive_line(jobs: JobsView) -> str:
    finished, minimum = fmt.count(jobs["finished"]), jobs.get("min_jobs")
    needed = f"more than {fmt.count(minimum)}" if minimum is not None else "more"
    if jobs["conclusive"]:
        return f"- **Rates are conclusive:** {finished} finished jobs ({needed} needed)"
    return f"- **Rates are inconclusive:** {finished} finished jobs, {needed} are needed to judge"


def _latency_cells(latency: LatencyView) -> list[str]:
    return [
        fmt.count(latency["count"]),
        *map(fmt.duration_ms, (latency["mean"], latency["p50"], latency["p95"], latency["max"])),
    ]


def _timing(report: ReportView) -> list[str]:
    rows = [
        ["Processing time", *_latency_cells(report["processing_time_ms"])],
        ["Queue wait", *_latency_cells(report["queue_wait_ms"])],
    ]
    return ["## Timing", "", *_table(["", "Jobs", "Mean", "p50", "p95", "Max"], rows)]


def _processors(report: ReportView) -> list[str]:
    processors = sections.processors(report)
    if not processors.rows:
        return ["## Processors", "", "No jobs."]
    return ["## Processors", "", *_section_table(processors)]


def _job_types(report: ReportView) -> list[str]:
    job_types = sections.job_types(report)
    if not job_types.rows:
        return []
    return ["## Job types", "", *_section_table(job_types)]


def _repository_label(row: RepositoryRowView) -> str:
    return _name(row.get("repository_name") or row.get("repository_id"))


def _repositories(report: ReportView) -> list[str]:
    repositories = report["repositories"]
    lines = [
        "## Repositories",
        "",
        f"- **Active repositories:** {fmt.count(repositories['active'])}",
        f"- **Participation:** {fmt.percent(repositories['participation_rate'])} of "
        f"categorised repositories had jobs",
    ]
    categories = repositories.get("by_category") or {}
    if categories:
        rows = [
            [
                _name(name),
                fmt.count(c["repositories"]),
                fmt.count(c["active"]),
                fmt.count(c["jobs"]),
            ]
            for name, c in categories.items()
        ]
        lines += ["", *_table(["Category", "Repositories", "Active", "Jobs"], rows)]
    tops = (
        ("Top by jobs", repositories.get("top_by_jobs")),
        ("Top by failures", repositories.get("top_by_failures")),
    )
    for title, top in tops:
        if top:
            rows = [
                [_repository_label(r), fmt.count(r["jobs"]), fmt.count(r["failed"])] for r in top
            ]
            lines += ["", f"### {title}", "", *_table(["Repository", "Jobs", "Failed"], rows)]
    return lines


def _errors(report: ReportView) -> list[str]:
    errors = report["errors"]
    lines = ["## Errors", "", f"{fmt.count(errors['total'])} failed jobs."]
    by_category = sections.errors_by_category(report)
    if by_category.rows:
        lines += ["", *_section_table(by_category)]
    recent = errors.get("recent") or []
    if recent:
        shown = recent[:RECENT_ERRORS_SHOWN]
        lines += ["", f"### Most recent errors ({len(shown)} of {len(recent)} listed)", ""]
        lines += [_recent_error(error) for error in shown]
    return lines


def _recent_error(error: RecentErrorView) -> str:
    message = escape_markdown(error.get("message"), ERROR_MESSAGE_CHARS) or "(no message)"
    where = ", ".join(
        _name(part)
        for part in (error.get("processor"), error.get("job_type"), error.get("repository_name"))
        if part
    )
    return (
        f"- {fmt.timestamp(error.get('created_at'))} **{_name(error.get('category'))}** "
        f"({where}): {message}"
    )


def _queue(report: ReportView) -> list[str]:
    queue = report["queue"]
    when = queue.get("evaluated_at")
    at = f" at {fmt.timestamp(when)}" if when else ""
    lines = [
        f"## Queue{at}",
        "",
        f"- **Pending:** {fmt.count(queue['pending'])}, oldest waiting "
        f"{fmt.duration_s(queue['oldest_pending_age_s'])}",
    ]
    if "processing" in queue:
        lines.append(f"- **Processing:** {fmt.count(queue['processing'])}")
    limit = queue.get("stuck_minutes")
    beyond = f" (processing for more than {fmt.number(limit, 0)} min)" if limit is not None else ""
    lines.append(f"- **Stuck:** {fmt.count(queue['stuck'])}{beyond}")
    return lines


def _cost(report: ReportView) -> list[str]:
    cost = report["cost"]
    # The headline figures first, as the site's tiles and the terminal say them; then where
    # the dollars went.
    headlines = [f"- **{h.label}:** {h.value} ({h.note})" for h in sections.cost_headlines(cost)]
    rows = [
        ["inngest", fmt.money(cost["inngest"])],
        ["GitHub Actions", fmt.money(cost["github_actions"])],
    ]
    lines = ["## Cost", "", *headlines, "", *_table(["Processor", "US dollars"], rows)]
    notes = []
    if cost.get("github_actions_minutes") is not None:
        rounding = cost.get("rounding")
        how = f", rounded {escape_markdown(rounding)}" if rounding else ""
        notes.append(
            f"- GitHub Actions minutes billed: {fmt.number(cost['github_actions_minutes'])}{how}"
        )
    if cost["pending_jobs"]:
        notes.append(
            f"- **Cost pending:** {fmt.count(cost['pending_jobs'])} unfinished GitHub Actions "
            f"jobs are not priced yet"
        )
    return [*lines, "", *notes] if notes else lines


def _trends(report: ReportView) -> list[str]:
    trends = sections.trends(report)
    if not trends.rows:
        return []
    return ["## Trends against the previous period", "", *_section_table(trends)]


def _findings(report: ReportView) -> list[str]:
    findings = sections.findings(report).select("severity", "rule", "scope", "message").rows
    lines = ["## Findings", ""]
    if not findings:
        return [*lines, "No findings: every rule passed."]
    for severity, rule, scope, message in sorted(findings, key=lambda f: -_severity_rank(f[0])):
        lines.append(
            f"- **{_escaped(severity)}** {_escaped(rule)} ({_escaped(scope)}): {_escaped(message)}"
        )
    return lines


def _escaped(value: Cell) -> str:
    return escape_markdown(None if value is None else str(value))


def _severity_rank(severity: Cell) -> int:
    """A known severity's rank; an unknown one (a hand-edited report) sorts last."""
    try:
        return Severity(str(severity)).rank
    except ValueError:
        return -1


def _recommendations(report: ReportView) -> list[str]:
    recommendations = report["recommendations"]
    if not recommendations:
        return []
    lines = ["## Recommendations", ""]
    for number, item in enumerate(recommendations, start=1):
        text = item.get("message") if isinstance(item, Mapping) else item
        lines.append(f"{number}. {escape_markdown(str(text))}")
    return lines


def _footer(report: ReportView) -> list[str]:
    return [
        "---",
        "",
        f"Data as of {fmt.timestamp(report['data_as_of'])} · report as of "
        f"{fmt.timestamp(report['as_of'])} · schema {escape_markdown(report['schema_version'])}",
    ]
