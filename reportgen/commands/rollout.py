"""`reportgen rollout status` and `reportgen rollout history`: the rollout as its target holds it
(the database when REPORTGEN_DATABASE_URL is set, else the store), read only."""

from __future__ import annotations

from typing import Any

from reportgen.config import Settings
from reportgen.control.eligibility import eligibility
from reportgen.control.target import RolloutTarget, StoreTarget, database_target
from reportgen.render import ReportFormat
from reportgen.render.text.rollout import render_history, render_status

STATUS_CHANGES = 5


def _iso(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "created_at": row["created_at"].isoformat()} for row in rows]


def rollout_status(target: RolloutTarget, feature: str) -> dict[str, Any]:
    """The active row, how many categorised repositories it makes eligible, the last changes."""
    row = target.read(feature)
    return {
        "feature": feature,
        "target": target.label,
        "configuration": None if row is None else row.to_dict(),
        "eligibility": None if row is None else eligibility(row, target.categories()).to_dict(),
        "history": _iso(target.history(feature, STATUS_CHANGES)),
    }


def rollout_history(target: RolloutTarget, feature: str, limit: int) -> dict[str, Any]:
    return {
        "feature": feature,
        "target": target.label,
        "changes": _iso(target.history(feature, limit)),
    }


def rollout_command(
    settings: Settings, what: str, view: ReportFormat, *, limit: int = 50, width: int = 100
) -> str:
    """`status` or `history`, rendered."""
    database = database_target(settings)
    if database is not None:
        return _render(database, settings.report.feature, what, view, limit, width)
    from reportgen.store import open_configured  # late: the store loads DuckDB

    missing = "Run `reportgen pull` first, or set REPORTGEN_DATABASE_URL."
    with open_configured(settings.store, read_only=True, missing=missing) as store:
        return _render(
            StoreTarget(store, settings.store.path),
            settings.report.feature,
            what,
            view,
            limit,
            width,
        )


def _render(
    target: RolloutTarget, feature: str, what: str, view: ReportFormat, limit: int, width: int
) -> str:
    if what == "status":
        return render_status(rollout_status(target, feature), view, width=width)
    return render_history(rollout_history(target, feature, limit), view, width=width)
