"""The words of incident issues: title, body and comments.

Messages carry untrusted text (repository names, error messages), so everything that did not
come from this module is escaped as in every Markdown view (render.markdown): no HTML, no
links or emphasis, no @-mentions or #-references; titles are plain text on one line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportgen.config import Settings
from reportgen.notify.message import AlertNotice
from reportgen.render.formatting import plain_text, readable_durations
from reportgen.render.text.markdown import escape_markdown
from reportgen.render.text.markdown_table import markdown_table

TITLE_LIMIT = 256
MESSAGE_LIMIT = 500
ROLLBACK_RULE = "rollback_executed"  # an error message quoted in a finding can be huge

# The seed's "Critical Alert Response" procedure, as a checklist.
# Only commands that exist.
NEXT_STEPS = (
    "Review the Sentry alert details and context",
    "Confirm the rollout status and recent changes (`reportgen health --format markdown`, "
    "the dashboard's alerts page)",
    "Assess the user impact and system stability",
    "Decide whether to roll back: the health check's `decision` says whether the circuit "
    "breaker would; roll back with the rollout-emergency-rollback workflow or "
    "`reportgen rollback --to 0 --reason … --confirm YES`",
    "Update the stakeholders and document the response in this issue",
)


@dataclass(frozen=True)
class IssueLinks:
    dashboard: str | None
    workflow_run: str | None

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str]) -> IssueLinks:
        base = settings.site.base_url.rstrip("/")
        parts = [environ.get(n, "") for n in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY")]
        run_id = environ.get("GITHUB_RUN_ID", "")
        run = f"{parts[0].rstrip('/')}/{parts[1]}/actions/runs/{run_id}" if all(parts) else None
        return cls(f"{base}/alerts/" if base else None, run if run_id else None)


def escape(text: str) -> str:
    """Untrusted text made inert in Markdown: one line, no HTML, no links, no mentions."""
    return escape_markdown(text, MESSAGE_LIMIT)


def title(notices: Sequence[AlertNotice]) -> str:
    """`Rollout incident: <rule> (<scope>) — <message>`, one line, at most 256 characters."""
    first = notices[0]
    more = f" (+{len(notices) - 1} more)" if len(notices) > 1 else ""
    message = readable_durations(first.message)
    text = plain_text(f"Rollout incident: {first.rule} ({first.scope}) — {message}")
    limit = TITLE_LIMIT - len(more)
    return (text if len(text) <= limit else text[: limit - 1] + "…") + more


def body(notices: Sequence[AlertNotice], links: IssueLinks) -> str:
    started = min((n.first_seen or n.as_of or "" for n in notices), default="")
    lines = [
        *(f"<!-- reportgen:alert={n.key} -->" for n in notices),
        "## Rollout incident",
        "",
        f"**Started:** {started} · **Rollout percentage:** "
        f"{_number(notices[0].rollout_percentage)} %",
        "",
        "### What breached",
        "",
        *_table(notices),
        "",
        "### Links",
        "",
        f"- Dashboard: {links.dashboard or 'not configured (site.base_url)'}",
        f"- Workflow run: {links.workflow_run or 'not run from GitHub Actions'}",
        "",
        "### Next steps",
        "",
        *(f"- [ ] {step}" for step in NEXT_STEPS),
    ]
    return "\n".join(lines) + "\n"


def comment(action: str, notices: Sequence[AlertNotice], links: IssueLinks) -> str:
    """A state change of the incident: a rollback, an escalation or the resolution."""
    as_of = notices[0].as_of if notices else "this run"
    rollback = next((n for n in notices if n.rule == ROLLBACK_RULE), None)
    if action == "close":
        head = f"**Resolved** at {as_of}: no critical alert is firing any more. Closing."
    elif rollback is not None:
        head = f"**Rolled back** at {rollback.as_of}: {escape(rollback.message)}"
    else:
        head = f"**Escalated** at {as_of}: now critical as well:"
    lines = [head, ""]
    if notices:
        lines += [*_table(notices), ""]
    if links.workflow_run:
        lines.append(f"Workflow run: {links.workflow_run}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(notices: Sequence[AlertNotice]) -> list[str]:
    headers = ["severity", "rule", "scope", "value", "threshold", "explanation", "counts"]
    rows = [
        [
            n.severity,
            escape(n.rule),
            escape(n.scope),
            _number(n.value),
            _number(n.threshold),
            escape(readable_durations(n.message)),
            ", ".join(f"{escape(k)} {v}" for k, v in sorted(n.counts.items())),
        ]
        for n in notices
    ]
    return markdown_table(headers, rows)


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value, 2):g}"
