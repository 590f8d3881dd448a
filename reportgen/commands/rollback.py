"""`reportgen rollback`: refuse, roll back by compare-and-set, verify, alert, report.

Stages: check the confirmation and the arguments (nothing is opened before they pass), roll
back on the target (the database when REPORTGEN_DATABASE_URL is set, else the store), then
alert through the same path as health: a critical `rollback_executed` alert to Sentry and the
incident issue opened, or commented on when one is open. Already at the percentage asked for is
a no-op that alerts nobody. The report goes to stdout and, as Markdown, to the step summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from reportgen.config import Settings
from reportgen.control.rollback import RollbackRequest, RollbackResult, check_request, rollback
from reportgen.control.target import open_target
from reportgen.notify.dispatch import notify_findings
from reportgen.notify.step_summary import write_step_summary
from reportgen.render import ReportFormat
from reportgen.render.text.rollout import render_rollback, rollback_markdown


def rollback_command(
    settings: Settings,
    *,
    to: str,
    reason: str,
    confirm: str,
    triggered_by: str,
    emergency_stop: bool,
    dry_run: bool,
    at: datetime,
    view: ReportFormat,
    environ: Mapping[str, str] | None = None,
    width: int = 100,
) -> tuple[str, RollbackResult]:
    """Roll the rollout back to `to` percent; the text to print and what happened."""
    percentage = check_request(to, reason, confirm)
    request = RollbackRequest(
        feature=settings.report.feature,
        to=percentage,
        reason=reason.strip(),
        triggered_by=triggered_by.strip() or "manual",
        emergency_stop=emergency_stop,
    )
    from reportgen.store import open_configured  # late: the store loads DuckDB

    # With a database the rollback happens there; the store only keeps the audit.
    database = settings.secrets.database_url is not None
    missing = "Run `reportgen pull` first, or set REPORTGEN_DATABASE_URL to roll back there."
    with open_configured(settings.store, missing=None if database else missing) as store:
        target = open_target(settings, store, settings.store.path)
        result = rollback(target, request, at, dry_run=dry_run)
        report: dict[str, Any] = {**result.to_dict(), "dry_run": dry_run, "notifications": None}
        if result.changed:
            finding = result.finding()
            outcome = notify_findings(
                store,
                [finding],
                settings,
                at,
                environ=environ,
                rollout_percentage=float(percentage),
                always_notify={finding.key},
            )
            report["notifications"] = outcome.to_dict()
    write_step_summary(rollback_markdown(report), environ)
    return render_rollback(report, view, width=width), result
