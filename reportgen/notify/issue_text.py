"""The words of incident issues: title, body and comments (SPEC §4.5).

Messages carry untrusted text (repository names, error messages), so everything that did not
come from this module is escaped: no HTML, no Markdown links or emphasis, no @-mentions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from reportgen.config import Settings
from reportgen.notify.message import AlertNotice

TITLE_LIMIT = 256

# The seed's "Critical Alert Response" procedure, as a checklist.
NEXT_STEPS = (
    "Review the Sentry alert details and context",
    "Confirm the rollout status and recent changes (`reportgen rollout status`)",
    "Assess the user impact and system stability",
    "Decide: manual rollback (`reportgen rollback --to 0 --reason … --confirm YES`) "
    "or let the auto-rollback act",
    "Update the stakeholders and document the response in this issue",
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


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
    """Untrusted text made inert in Markdown: one line, no HTML, no markup, no mentions."""
    one_line = " ".join(text.split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))
    return escaped.replace("@", "@\u200b")


def title(notice: AlertNotice) -> str:
    """`Rollout incident: <rule> (<scope>) — <message>`, one line, at most 256 characters."""
    text = " ".join(f"Rollout incident: {notice.rule} ({notice.scope}) — {notice.message}".split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1] + "…"


def body(notice: AlertNotice, links: IssueLinks) -> str:
    lines = [
        f"## Rollout incident: {escape(notice.rule)} ({escape(notice.scope)})",
        "",
        f"**Severity:** {notice.severity} · **Started:** {notice.first_seen or notice.as_of}"
        f" · **Rollout percentage:** {_number(notice.rollout_percentage)} %",
        "",
        "### What breached",
        "",
        "| rule | scope | value | threshold |",
        "|---|---|---|---|",
        f"| {escape(notice.rule)} | {escape(notice.scope)} | {_number(notice.value)} "
        f"| {_number(notice.threshold)} |",
        "",
        f"> {escape(notice.message)}",
        "",
        *_counts(notice),
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


def comment(notice: AlertNotice, links: IssueLinks) -> str:
    """A state change: escalation or resolution."""
    if notice.kind == "resolved":
        head = f"**Resolved** at {notice.as_of}: healthy again. Closing this incident."
    else:
        head = f"**Escalated to {notice.severity}** at {notice.as_of}."
    lines = [
        head,
        "",
        f"> {escape(notice.message)}",
        "",
        f"Value {_number(notice.value)} vs threshold {_number(notice.threshold)}; "
        f"rollout percentage {_number(notice.rollout_percentage)} %.",
    ]
    if links.workflow_run:
        lines += ["", f"Workflow run: {links.workflow_run}"]
    return "\n".join(lines) + "\n"


def _counts(notice: AlertNotice) -> list[str]:
    if not notice.counts:
        return []
    listed = ", ".join(f"{escape(name)} {count}" for name, count in sorted(notice.counts.items()))
    return [f"Counts: {listed}", ""]


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"
